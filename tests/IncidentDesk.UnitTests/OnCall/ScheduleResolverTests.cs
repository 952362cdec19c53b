using IncidentDesk.OnCall;

namespace IncidentDesk.UnitTests.OnCall;

public sealed class ScheduleResolverTests
{
    private static readonly OnCallSchedule Sample = Load(File.ReadAllText(Path.Combine(RepoRoot(), "alerts", "oncall.yaml")));

    internal static OnCallSchedule Load(string yaml)
    {
        var (schedule, problems) = OnCallFile.Parse(yaml, "oncall.yaml");
        problems.Should().BeEmpty();
        return schedule!;
    }

    [Theory]
    // Winter (CET, UTC+1): 07:30 UTC is 08:30 local → early; 15:30 UTC is 16:30 → late; 23:30 UTC is 00:30 → night.
    [InlineData("2026-01-07T07:30:00Z", "early")]
    [InlineData("2026-01-07T15:30:00Z", "late")]
    [InlineData("2026-01-07T23:30:00Z", "night")]
    // Summer (CEST, UTC+2): 06:30 UTC is already 08:30 local → early, not night.
    [InlineData("2026-07-08T06:30:00Z", "early")]
    [InlineData("2026-07-08T05:59:00Z", "night")]
    public void Shifts_follow_wall_clock_time_in_the_schedule_zone(string at, string shift) =>
        ScheduleResolver.Resolve(Sample, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)).Shift.Should().Be(shift);

    [Fact]
    public void The_night_shift_is_seven_hours_when_clocks_go_forward_and_nine_when_they_go_back()
    {
        // 29 March 2026: 02:00 CET → 03:00 CEST. The night shift 00:00–08:00 local runs 23:00Z → 06:00Z.
        var spring = ScheduleResolver.Resolve(Sample, new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero));
        spring.Shift.Should().Be("night");
        spring.ShiftStartsAt.Should().Be(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero));
        spring.ShiftEndsAt.Should().Be(new DateTimeOffset(2026, 3, 29, 6, 0, 0, TimeSpan.Zero));
        (spring.ShiftEndsAt - spring.ShiftStartsAt).Should().Be(TimeSpan.FromHours(7));
        ScheduleResolver.Resolve(Sample, new DateTimeOffset(2026, 3, 29, 6, 30, 0, TimeSpan.Zero)).Shift.Should().Be("early", "08:30 CEST");

        // 25 October 2026: 03:00 CEST → 02:00 CET. The night shift runs 22:00Z → 07:00Z.
        var autumn = ScheduleResolver.Resolve(Sample, new DateTimeOffset(2026, 10, 25, 6, 30, 0, TimeSpan.Zero));
        autumn.Shift.Should().Be("night", "06:30Z is 07:30 CET");
        (autumn.ShiftEndsAt - autumn.ShiftStartsAt).Should().Be(TimeSpan.FromHours(9));
    }

    [Fact]
    public void Crews_rotate_through_the_shifts_every_week()
    {
        // Week 0 (from Monday 5 January): early = crew 0 (anna); week 1: early = crew 1 (dora); week 3 is week 0 again.
        Lead("2026-01-05T09:00:00Z").Should().Be("anna");
        Lead("2026-01-05T17:00:00Z").Should().Be("dora", "late shift = crew 1 in week 0");
        Lead("2026-01-12T09:00:00Z").Should().Be("dora");
        Lead("2026-01-19T09:00:00Z").Should().Be("gustav");
        Lead("2026-01-26T09:00:00Z").Should().Be("anna");
        // Sunday 11 January 23:30 local is the last evening of week 0.
        Lead("2026-01-11T22:30:00Z").Should().Be("dora");
    }

    [Fact]
    public void A_night_shift_that_crosses_midnight_keeps_its_crew_when_the_rotation_period_changes()
    {
        var schedule = Load("""
            timeZone: Europe/Berlin
            people: [{ id: a, slack: U0AAAA01 }, { id: b, slack: U0BBBB01 }]
            shifts: [{ name: day, start: "08:00", end: "22:00" }, { name: night, start: "22:00", end: "08:00" }]
            rotation: { every: daily, startsOn: 2026-01-05, crews: [{ lead: a, agents: [] }, { lead: b, agents: [] }] }
            escalation: [{ level: 1, notify: [shift-lead] }]
            """);
        // The night from the 5th to the 6th belongs to the 5th (period 0): night = crew 1 = b, also at 03:00 on the 6th.
        ScheduleResolver.Resolve(schedule, new DateTimeOffset(2026, 1, 5, 22, 0, 0, TimeSpan.Zero)).Lead.Id.Should().Be("b");
        ScheduleResolver.Resolve(schedule, new DateTimeOffset(2026, 1, 6, 2, 0, 0, TimeSpan.Zero)).Lead.Id.Should().Be("b");
        ScheduleResolver.Resolve(schedule, new DateTimeOffset(2026, 1, 6, 9, 0, 0, TimeSpan.Zero)).Lead.Id.Should().Be("b", "day 1: day = crew 1");
    }

    [Fact]
    public void An_override_replaces_the_person_only_within_its_period()
    {
        // 2026-12-24 is in week 50 → early = crew (0 + 50) mod 3 = 2 … find a shift anna leads that day instead of assuming.
        var christmasEve = new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero);
        var annaShift = Enumerable.Range(0, 24).Select(h => christmasEve.AddHours(h))
            .Select(t => (t, duty: ScheduleResolver.Resolve(Sample, t)))
            .First(x => x.duty.OverridesApplied.Count > 0);
        annaShift.duty.Lead.Id.Should().Be("dora");
        annaShift.duty.OverridesApplied.Should().ContainSingle().Which.Should().Contain("dora for anna");

        // The same shift a week before the override: anna leads it herself.
        var weekBefore = ScheduleResolver.Resolve(Sample, annaShift.t.AddDays(-21));
        weekBefore.Lead.Id.Should().Be("anna");
        weekBefore.OverridesApplied.Should().BeEmpty();
        // And after the override ends (27 December 00:00 local).
        ScheduleResolver.Resolve(Sample, annaShift.t.AddDays(21)).Lead.Id.Should().Be("anna");
    }

    [Fact]
    public void Escalation_level_1_is_the_lead_on_duty_and_levels_past_the_top_stay_at_the_top()
    {
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        ScheduleResolver.Escalation(Sample, 1, at).Select(p => p.Id).Should().Equal("anna");
        ScheduleResolver.Escalation(Sample, 2, at).Select(p => p.Id).Should().Equal("tom");
        ScheduleResolver.Escalation(Sample, 3, at).Select(p => p.Id).Should().Equal("maria");
        ScheduleResolver.Escalation(Sample, 7, at).Select(p => p.Id).Should().Equal("maria");
    }

    private static string Lead(string at) => ScheduleResolver.Resolve(Sample, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)).Lead.Id;

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IncidentDesk.sln")))
            dir = dir.Parent;
        return dir!.FullName;
    }
}

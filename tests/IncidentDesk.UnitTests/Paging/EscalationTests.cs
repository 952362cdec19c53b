using IncidentDesk.Paging;

namespace IncidentDesk.UnitTests.Paging;

public sealed class EscalationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 9, 9, 0, 0, TimeSpan.Zero);
    private static readonly PagingOptions Options = new() { AckTimeout = TimeSpan.FromMinutes(15), RepeatInterval = TimeSpan.FromMinutes(5) };

    [Fact]
    public void Repeats_every_5_minutes_escalates_every_15_and_keeps_repeating_at_the_top()
    {
        var row = new EscalationRow { IncidentId = 1, Level = 1, Attempt = 1, LevelStartedAt = T0, NextAt = Escalation.FirstStep(T0, Options, 3) };
        var steps = new List<(int Minute, int Level, bool Escalated)>();
        for (var i = 0; i < 8; i++)
        {
            var at = row.NextAt;
            (row, var escalated) = Escalation.Step(row, at, Options, 3);
            steps.Add(((int)(at - T0).TotalMinutes, row.Level, escalated));
        }
        steps.Should().Equal((5, 1, false), (10, 1, false), (15, 2, true), (20, 2, false), (25, 2, false), (30, 3, true), (35, 3, false), (40, 3, false));
        row.Attempt.Should().Be(9);
    }

    [Fact]
    public void A_repeat_interval_longer_than_the_deadline_still_escalates_on_time()
    {
        var options = new PagingOptions { AckTimeout = TimeSpan.FromMinutes(15), RepeatInterval = TimeSpan.FromMinutes(20) };
        Escalation.FirstStep(T0, options, 3).Should().Be(T0.AddMinutes(15));
        Escalation.FirstStep(T0, options, 1).Should().Be(T0.AddMinutes(20), "with one level there is nothing to escalate to");
    }

    [Fact]
    public void A_late_firing_does_not_shift_the_schedule_and_a_long_outage_does_not_cause_a_burst()
    {
        var row = new EscalationRow { IncidentId = 1, Level = 1, Attempt = 1, LevelStartedAt = T0, NextAt = T0.AddMinutes(5) };
        var (late, _) = Escalation.Step(row, T0.AddMinutes(5).AddSeconds(3), Options, 3);
        late.NextAt.Should().Be(T0.AddMinutes(10), "computed from the due time, not from when it fired");

        var (afterOutage, escalated) = Escalation.Step(row, T0.AddHours(2), Options, 3);
        escalated.Should().BeFalse();
        afterOutage.NextAt.Should().Be(T0.AddHours(2), "the overdue escalation is taken at once, one level at a time");
    }
}

using IncidentDesk.Paging;

namespace IncidentDesk.UnitTests.Paging;

public sealed class EscalationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 9, 9, 0, 0, TimeSpan.Zero);
    private static readonly PagingOptions Options = new() { AckTimeout = TimeSpan.FromMinutes(15), RepeatInterval = TimeSpan.FromMinutes(5) };

    /// <summary><paramref name="levels"/> levels that each take the default acknowledgment time.</summary>
    private static List<TimeSpan> Levels(int levels, PagingOptions? options = null) => Enumerable.Repeat((options ?? Options).AckTimeout, levels).ToList();

    [Fact]
    public void Repeats_every_5_minutes_escalates_every_15_and_keeps_repeating_at_the_top()
    {
        var row = new EscalationRow { IncidentId = 1, Level = 1, Attempt = 1, LevelStartedAt = T0, NextAt = Escalation.FirstStep(T0, Options, Levels(3)) };
        var steps = new List<(int Minute, int Level, bool Escalated)>();
        for (var i = 0; i < 8; i++)
        {
            var at = row.NextAt;
            (row, var escalated) = Escalation.Step(row, at, Options, Levels(3));
            steps.Add(((int)(at - T0).TotalMinutes, row.Level, escalated));
        }
        steps.Should().Equal((5, 1, false), (10, 1, false), (15, 2, true), (20, 2, false), (25, 2, false), (30, 3, true), (35, 3, false), (40, 3, false));
        row.Attempt.Should().Be(9);
    }

    [Fact]
    public void A_repeat_interval_longer_than_the_deadline_still_escalates_on_time()
    {
        var options = new PagingOptions { AckTimeout = TimeSpan.FromMinutes(15), RepeatInterval = TimeSpan.FromMinutes(20) };
        Escalation.FirstStep(T0, options, Levels(3, options)).Should().Be(T0.AddMinutes(15));
        Escalation.FirstStep(T0, options, Levels(1, options)).Should().Be(T0.AddMinutes(20), "with one level there is nothing to escalate to");
    }

    [Fact]
    public void A_late_firing_does_not_shift_the_schedule_and_a_long_outage_does_not_cause_a_burst()
    {
        var row = new EscalationRow { IncidentId = 1, Level = 1, Attempt = 1, LevelStartedAt = T0, NextAt = T0.AddMinutes(5) };
        var (late, _) = Escalation.Step(row, T0.AddMinutes(5).AddSeconds(3), Options, Levels(3));
        late.NextAt.Should().Be(T0.AddMinutes(10), "computed from the due time, not from when it fired");

        var (afterOutage, escalated) = Escalation.Step(row, T0.AddHours(2), Options, Levels(3));
        escalated.Should().BeFalse();
        afterOutage.NextAt.Should().Be(T0.AddHours(2), "the overdue escalation is taken at once, one level at a time");
    }

    [Fact]
    public void A_level_with_its_own_timeout_hands_over_after_it_and_the_next_level_keeps_its_own()
    {
        // Level 1 (the shift lead) has 5 minutes, level 2 the default 15, level 3 is the top.
        List<TimeSpan> timeouts = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)];
        var options = new PagingOptions { AckTimeout = TimeSpan.FromMinutes(15), RepeatInterval = TimeSpan.FromMinutes(10) };
        var row = new EscalationRow { IncidentId = 1, Level = 1, Attempt = 1, LevelStartedAt = T0, NextAt = Escalation.FirstStep(T0, options, timeouts) };
        var steps = new List<(int Minute, int Level, bool Escalated)>();
        for (var i = 0; i < 4; i++)
        {
            var at = row.NextAt;
            (row, var escalated) = Escalation.Step(row, at, options, timeouts);
            steps.Add(((int)(at - T0).TotalMinutes, row.Level, escalated));
        }
        steps.Should().Equal((5, 2, true), (15, 2, false), (20, 3, true), (30, 3, false));
    }
}

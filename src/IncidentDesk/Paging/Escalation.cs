namespace IncidentDesk.Paging;

/// <summary>
/// The escalation policy as pure arithmetic: repeat every <see cref="PagingOptions.RepeatInterval"/> within a level,
/// move up a level when the level's timeout has passed (<c>timeouts[level - 1]</c>: the level's <c>timeout</c> in
/// oncall.yaml, else <see cref="PagingOptions.AckTimeout"/>), and keep repeating at the top.
/// Steps are computed from the scheduled times, not from when a trigger happened to fire, so lateness does not add up.
/// </summary>
public static class Escalation
{
    /// <summary>When the first repeat or escalation is due after the first page at <paramref name="now"/>.</summary>
    public static DateTimeOffset FirstStep(DateTimeOffset now, PagingOptions options, IReadOnlyList<TimeSpan> timeouts) => NextAfter(now, 1, now, options, timeouts);

    /// <summary>The state after the step that was due at <c>row.NextAt</c>, and whether that step moved up a level.</summary>
    public static (EscalationRow Next, bool Escalated) Step(EscalationRow row, DateTimeOffset now, PagingOptions options, IReadOnlyList<TimeSpan> timeouts)
    {
        var levels = timeouts.Count;
        var due = row.NextAt;
        var level = row.Level;
        var started = row.LevelStartedAt;
        var escalated = false;
        var deadline = started + TimeoutOf(level, options, timeouts);
        if (level < levels && due >= deadline)
        {
            level++;
            started = deadline;
            escalated = true;
        }
        var next = NextAfter(due, level, started, options, timeouts);
        if (next <= now)
        {
            // We fell behind (the whole cluster was down): go on from now instead of firing a burst of stale repeats,
            // but do not hold back an escalation that is already overdue.
            next = level < levels && started + TimeoutOf(level, options, timeouts) <= now ? now : now + options.RepeatInterval;
        }
        return (row with { Level = level, Attempt = row.Attempt + 1, LevelStartedAt = started, NextAt = next }, escalated);
    }

    private static DateTimeOffset NextAfter(DateTimeOffset from, int level, DateTimeOffset levelStarted, PagingOptions options, IReadOnlyList<TimeSpan> timeouts)
    {
        var next = from + options.RepeatInterval;
        var deadline = levelStarted + TimeoutOf(level, options, timeouts);
        if (level < timeouts.Count && deadline < next)
            next = deadline;
        return next;
    }

    private static TimeSpan TimeoutOf(int level, PagingOptions options, IReadOnlyList<TimeSpan> timeouts) =>
        timeouts.Count == 0 ? options.AckTimeout : timeouts[Math.Clamp(level, 1, timeouts.Count) - 1];
}

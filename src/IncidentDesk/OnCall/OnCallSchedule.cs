using NodaTime;

namespace IncidentDesk.OnCall;

/// <summary>A person who can be paged, with their contact addresses.</summary>
public sealed record Person(string Id, string Name, string? Slack, string? Email, IReadOnlyList<string> Notify);

/// <summary>A daily shift in wall-clock time; <see cref="End"/> at or before <see cref="Start"/> means it ends the next day.</summary>
public sealed record Shift(string Name, LocalTime Start, LocalTime End);

/// <summary>One crew: the shift lead and the agents who work a shift together.</summary>
public sealed record Crew(string Lead, IReadOnlyList<string> Agents);

public enum RotationPeriod
{
    Daily,
    Weekly,
}

/// <summary>Crews move through the shifts: in period k, shift i is worked by crew (i + k) mod crews.</summary>
public sealed record Rotation(RotationPeriod Every, LocalDate StartsOn, IReadOnlyList<Crew> Crews);

/// <summary>From <see cref="From"/> until <see cref="To"/> (local), <see cref="With"/> stands in wherever <see cref="Replace"/> is on duty.</summary>
public sealed record Override(string Replace, string With, LocalDateTime From, LocalDateTime To, string? Reason);

/// <summary>An escalation level; <c>shift-lead</c> in <see cref="Notify"/> means the lead on duty.</summary>
/// <summary>One level of the chain; <see cref="Timeout"/> is how long it has to acknowledge before the next level is paged (null: Paging:AckTimeout).</summary>
public sealed record EscalationLevel(int Level, IReadOnlyList<string> Notify, TimeSpan? Timeout = null);

/// <summary>The parsed <c>alerts/oncall.yaml</c>.</summary>
public sealed record OnCallSchedule(
    DateTimeZone TimeZone,
    IReadOnlyDictionary<string, Person> People,
    IReadOnlyList<Shift> Shifts,
    Rotation Rotation,
    IReadOnlyList<Override> Overrides,
    IReadOnlyList<EscalationLevel> Escalation)
{
    public const string ShiftLeadTarget = "shift-lead";

    /// <summary>The person with this Slack member id, if any.</summary>
    public Person? FindBySlackId(string slackUserId) =>
        People.Values.FirstOrDefault(p => string.Equals(p.Slack, slackUserId, StringComparison.Ordinal));
}

namespace IncidentDesk.Incidents;

/// <summary>A signal that something is wrong: an alert, an SLA breach, a failing integration, a person declaring.</summary>
/// <param name="DedupKey">Same key = same problem: while an incident with this key is open, the signal joins it.</param>
/// <param name="Source">Where it came from: <c>alertmanager</c>, <c>sla</c>, <c>integration</c>, <c>manual</c>.</param>
/// <param name="Labels">Low-cardinality facts that route it (rule kind, channel, runbook, Alertmanager labels).</param>
public sealed record IncidentSignal(
    string DedupKey,
    string Source,
    string Title,
    string Severity,
    string? Summary = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    string Actor = "system");

/// <summary>The outcome of <see cref="IncidentService.OpenAsync"/>.</summary>
public sealed record OpenResult(long IncidentId, bool Created);

public static class Severities
{
    public static readonly IReadOnlyList<string> All = ["critical", "high", "medium", "low"];
}

/// <summary>The lifecycle: triggered → acknowledged → mitigating → resolved → reviewed.</summary>
public static class IncidentStatus
{
    public const string Triggered = "triggered";
    public const string Acknowledged = "acknowledged";
    public const string Mitigating = "mitigating";
    public const string Resolved = "resolved";
    public const string Reviewed = "reviewed";

    public static readonly IReadOnlyList<string> Open = [Triggered, Acknowledged, Mitigating];

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [Triggered] = [Acknowledged, Resolved],
        [Acknowledged] = [Mitigating, Resolved],
        [Mitigating] = [Resolved],
        [Resolved] = [Reviewed],
        [Reviewed] = [],
    };

    public static bool IsKnown(string status) => Allowed.ContainsKey(status);

    /// <summary>Whether the lifecycle allows going from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanMove(string from, string to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);
}

/// <summary>An incident row as the API and the other capabilities see it.</summary>
public sealed record Incident
{
    public long Id { get; init; }
    public string DedupKey { get; init; } = "";
    public string Source { get; init; } = "";
    public string Title { get; init; } = "";
    public string Severity { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Summary { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset LastSignalAt { get; init; }
    public int SignalCount { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? AcknowledgedBy { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public string? ResolvedBy { get; init; }
}

/// <summary>One line of the timeline.</summary>
public sealed record IncidentEvent(long Id, long IncidentId, DateTimeOffset At, string Actor, string Kind, string Message, string? Data);

/// <summary>What happened to an incident, for the capabilities that react in the same transaction (paging, runbooks).</summary>
public enum IncidentChangeKind
{
    Opened,
    Signalled,
    Acknowledged,
    StatusChanged,
    Recovered,
}

public sealed record IncidentChange(IncidentChangeKind Kind, Incident Incident, string Actor);

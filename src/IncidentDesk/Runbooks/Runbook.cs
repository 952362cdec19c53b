namespace IncidentDesk.Runbooks;

/// <summary>The step kinds a runbook may use.</summary>
public static class StepKinds
{
    public const string Acknowledge = "acknowledge";
    public const string Communicate = "communicate";
    public const string Escalate = "escalate";
    public const string Rollback = "rollback";
    public const string Manual = "manual";
    public const string Review = "review";

    public static readonly IReadOnlyList<string> All = [Acknowledge, Communicate, Escalate, Rollback, Manual, Review];

    /// <summary>Kinds the engine runs by itself (and retries); the others are completed by people or by the lifecycle.</summary>
    public static readonly IReadOnlyList<string> Automated = [Communicate, Escalate, Rollback];

    /// <summary>The settings each kind understands; anything else in a step is reported by <c>check</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Settings = new Dictionary<string, string[]>
    {
        [Acknowledge] = [],
        [Communicate] = ["template", "channels", "eta", "produkt"],
        [Escalate] = ["project", "issuetype", "priority"],
        [Rollback] = ["flag", "to"],
        [Manual] = [],
        [Review] = [],
    };
}

/// <summary>One runbook file: machine-readable steps from the front matter, guidance per step from the body.</summary>
/// <param name="Name">The file stem (<c>sla-csat</c>), which incidents name in their <c>runbook</c> label.</param>
public sealed record Runbook(
    string Name,
    string Path,
    string Title,
    RunbookMatch? Match,
    IReadOnlyList<RunbookStep> Steps,
    IReadOnlyDictionary<string, string> Guidance)
{
    public RunbookStep? Step(string id) => Steps.FirstOrDefault(s => s.Id == id);
}

/// <summary>Which incidents get this runbook when they do not name one: the source and a subset of labels.</summary>
public sealed record RunbookMatch(string? Source, IReadOnlyDictionary<string, string> Labels);

/// <summary>A step definition.</summary>
/// <param name="Deadline">From the incident's opening (for <c>review</c>: from its resolution).</param>
/// <param name="After">Steps that must be done before an automated step runs.</param>
public sealed record RunbookStep(
    string Id,
    string Kind,
    TimeSpan Deadline,
    string Owner,
    IReadOnlyList<string> After,
    IReadOnlyDictionary<string, string> Settings,
    int Line)
{
    public string? Setting(string key) => Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

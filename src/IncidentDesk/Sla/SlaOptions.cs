using IncidentDesk.Configuration;

namespace IncidentDesk.Sla;

/// <summary>SLA evaluation settings (section <c>Sla</c>); the rules themselves live in <c>alerts/sla-rules.yaml</c>.</summary>
public sealed class SlaOptions : IValidatedOptions
{
    /// <summary>The rules file, relative to <c>Paths:Alerts</c>.</summary>
    public string RulesFile { get; set; } = SlaRulesFile.FileName;

    /// <summary>How often the cluster evaluates every rule (one node per cycle).</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far before the previous cycle the change scan starts: a poller page committed this much later than
    /// its ingested_at (or stamped by a node whose clock is this much behind) is still seen. A poller page
    /// commits in well under a second and nodes run NTP; every change in the overlap is recomputed once more.
    /// </summary>
    public TimeSpan IngestOverlap { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every rule's rollups are rebuilt from contacts this often, as a safety net.</summary>
    public TimeSpan RebuildInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long evaluation results are kept in <c>sla_results</c>.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>First responses older than this when first seen (a backfill) are not put in the histogram.</summary>
    public TimeSpan FirstResponseHorizon { get; set; } = TimeSpan.FromHours(24);

    public IEnumerable<string> Validate(string section)
    {
        if (string.IsNullOrWhiteSpace(RulesFile))
            yield return $"{section}:RulesFile: must name a file";
        if (EvaluationInterval < TimeSpan.FromSeconds(1))
            yield return $"{section}:EvaluationInterval: must be at least 00:00:01";
        if (IngestOverlap < TimeSpan.Zero)
            yield return $"{section}:IngestOverlap: must not be negative";
        if (RebuildInterval < TimeSpan.FromMinutes(1))
            yield return $"{section}:RebuildInterval: must be at least 00:01:00";
        if (ResultRetention < TimeSpan.FromDays(1))
            yield return $"{section}:ResultRetention: must be at least 1.00:00:00";
        if (FirstResponseHorizon <= TimeSpan.Zero)
            yield return $"{section}:FirstResponseHorizon: must be positive";
    }
}

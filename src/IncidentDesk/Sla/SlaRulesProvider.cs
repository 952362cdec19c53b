using IncidentDesk.Configuration;
using IncidentDesk.Telephony.Twilio;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Sla;

/// <summary>
/// The rules in force. The file is re-read when it changes; a broken edit is logged and the last good
/// rule set stays in force (start-up and <c>incidentdesk check</c> refuse a broken file outright).
/// A missing file means no SLA rules.
/// </summary>
public sealed class SlaRulesProvider(IOptions<PathsOptions> paths, IOptions<SlaOptions> options, ILogger<SlaRulesProvider> logger)
{
    private readonly Lock gate = new();
    private SlaRuleSet current = SlaRuleSet.Empty;
    private DateTime? loadedStamp;

    public string Path => System.IO.Path.Combine(paths.Value.Alerts, options.Value.RulesFile);

    /// <summary>The current rule set, re-read if the file changed since the last call.</summary>
    public SlaRuleSet Current()
    {
        lock (gate)
        {
            var stamp = File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : (DateTime?)null;
            if (stamp == loadedStamp)
                return current;
            loadedStamp = stamp;
            if (stamp is null)
            {
                logger.LogWarning("No SLA rules file at {Path}: no SLA rules are evaluated", Path);
                return current = SlaRuleSet.Empty;
            }
            var result = SlaRulesFile.Load(Path);
            if (result.RuleSet is null)
            {
                logger.LogError("SLA rules file {Path} has {Count} problem(s); keeping the {Rules} rule(s) in force: {Problems}",
                    Path, result.Problems.Count, current.Rules.Count, string.Join("; ", result.Problems));
                return current;
            }
            logger.LogInformation("Loaded {Count} SLA rule(s) from {Path}", result.RuleSet.Rules.Count, Path);
            return current = result.RuleSet;
        }
    }
}

/// <summary>
/// Validates <c>alerts/sla-rules.yaml</c> for <c>incidentdesk check</c> and start-up, and that a phone rule's
/// threshold is one Twilio's queue statistics are split at (else those statistics cannot count for it).
/// </summary>
internal sealed class SlaRulesCheck(SlaRulesProvider provider, IOptions<TwilioOptions> twilio) : ICheck
{
    public IEnumerable<Problem> Run()
    {
        if (!File.Exists(provider.Path))
            return [];
        var file = SlaRulesFile.Load(provider.Path);
        if (file.Problems.Count > 0)
            return file.Problems;
        TwilioOptions o;
        try
        {
            o = twilio.Value;
        }
        catch (OptionsValidationException)
        {
            return []; // reported as a configuration error on its own
        }
        if (!o.StatisticsEnabled)
            return [];
        return file.RuleSet!.Rules
            .Where(r => r.Kind == SlaRuleKind.PhoneServiceLevel && r.Within is { } within
                && (r.Scope.Sources.Count == 0 || r.Scope.Sources.Contains(TwilioCallSource.Name))
                && !o.SplitByWaitTime.Contains((int)Math.Round(within.TotalSeconds)))
            .Select(r => new Problem(provider.Path, r.Line,
                $"rule '{r.Name}': within {r.Within!.Value.TotalSeconds:0}s is not among Telephony:Twilio:SplitByWaitTime " +
                $"({string.Join(", ", o.SplitByWaitTime)}), so Twilio's queue statistics cannot count for it: add it there"))
            .ToList();
    }
}

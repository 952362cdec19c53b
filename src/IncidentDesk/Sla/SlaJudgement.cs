using System.Globalization;

namespace IncidentDesk.Sla;

/// <summary>Counts over a window. What they count depends on the rule kind (see <see cref="SlaQueries"/>).</summary>
public readonly record struct Tally(long Samples, long Hits, long Extra)
{
    public static Tally operator +(Tally a, Tally b) => new(a.Samples + b.Samples, a.Hits + b.Hits, a.Extra + b.Extra);

    public double? Share => Samples == 0 ? null : (double)Hits / Samples;

    public double? ExtraShare => Samples == 0 ? null : (double)Extra / Samples;
}

public static class SlaStatus
{
    public const string Ok = "ok";
    public const string Breached = "breached";
    public const string InsufficientData = "insufficient_data";
}

/// <summary>One rule's verdict for one channel (or <c>all</c>) at one window end.</summary>
public sealed record SlaResult
{
    public required SlaRule Rule { get; init; }
    public required string Channel { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>The measured share in the rule's own terms; null when the window holds no samples.</summary>
    public double? Value { get; init; }
    public long Samples { get; init; }
    public required string Status { get; init; }

    /// <summary>Kind-specific figures (previous CSAT window, abandonment, decision) for the results table and incidents.</summary>
    public IReadOnlyDictionary<string, object?> Detail { get; init; } = new Dictionary<string, object?>();

    /// <summary>A one-line explanation for incident summaries and logs.</summary>
    public required string Summary { get; init; }
}

/// <summary>The 24/7 decision tree of the handbook (DOMAIN.md), for out_of_hours_share and <c>analyze coverage</c>.</summary>
public static class CoverageDecision
{
    public const string No247 = "no_24_7";
    public const string Hybrid = "hybrid";
    public const string Full247 = "24_7";

    public static string Decide(double outOfHoursShare, double threshold, long criticalOutOfHours) =>
        outOfHoursShare <= threshold ? No247 : criticalOutOfHours > 0 ? Full247 : Hybrid;

    public static string Explain(string decision) => decision switch
    {
        No247 => "no 24/7: focus on core hours",
        Hybrid => "hybrid: core hours in-house, nights outsourced",
        Full247 => "24/7: in-house if control matters, outsourcing with SLAs if the budget is tight",
        _ => decision,
    };
}

/// <summary>Turns tallies into verdicts. Pure: the evaluator feeds it numbers from SQL.</summary>
public static class SlaJudge
{
    /// <param name="previous">CSAT only: the window before, for the trend.</param>
    public static SlaResult Judge(SlaRule rule, string channel, DateTimeOffset windowEnd, Tally tally, Tally? previous = null)
    {
        var value = tally.Share;
        var detail = new Dictionary<string, object?>();
        var enough = tally.Samples >= rule.MinSamples;
        var breached = false;
        string why;
        switch (rule.Kind)
        {
            case SlaRuleKind.ResponseWithin or SlaRuleKind.FirstResponseTime:
                breached = value < rule.Target;
                why = $"{P(value)} of {tally.Samples} contacts answered within {rule.Within} ({rule.Basis.ToString().ToLowerInvariant()} time), target ≥ {P(rule.Target)}";
                break;
            case SlaRuleKind.Csat:
                var prev = previous?.Share;
                detail["previous_value"] = prev;
                detail["previous_samples"] = previous?.Samples ?? 0;
                var trendKnown = prev is not null && previous!.Value.Samples >= rule.MinSamples;
                var falling = trendKnown && value < prev - rule.Tolerance;
                detail["trend"] = !trendKnown ? "unknown" : falling ? "falling" : value > prev ? "improving" : "stable";
                breached = value < rule.Target || falling;
                why = $"CSAT {P(value)} from {tally.Samples} ratings, target ≥ {P(rule.Target)}; previous window {P(prev)} ({detail["trend"]}, tolerance {P(rule.Tolerance)})";
                break;
            case SlaRuleKind.AgentErrorEscalations:
                // The handbook: agent-error escalations stay *below* 5 % of tickets.
                breached = value >= rule.Target;
                why = $"{P(value)} of {tally.Samples} tickets escalated because of agent errors, target < {P(rule.Target)}";
                break;
            case SlaRuleKind.PhoneServiceLevel:
                var abandon = tally.ExtraShare;
                detail["abandon_rate"] = abandon;
                detail["abandoned"] = tally.Extra;
                detail["max_abandon_rate"] = rule.MaxAbandonRate;
                var slLow = value < rule.Target;
                var abandonHigh = rule.MaxAbandonRate is { } max && abandon > max;
                breached = slLow || abandonHigh;
                why = $"{P(value)} of {tally.Samples} calls answered within {rule.Within.GetValueOrDefault().TotalSeconds:0} s (target ≥ {P(rule.Target)}), abandonment {P(abandon)}"
                    + (rule.MaxAbandonRate is { } m ? $" (target ≤ {P(m)})" : "");
                break;
            case SlaRuleKind.OutOfHoursShare:
                detail["critical_out_of_hours"] = tally.Extra;
                var decision = value is null ? null : CoverageDecision.Decide(value.Value, rule.Target, tally.Extra);
                detail["decision"] = decision;
                // The handbook's threshold: up to 5 % outside business hours needs no 24/7.
                breached = value > rule.Target;
                why = $"{P(value)} of {tally.Samples} contacts outside business hours ({tally.Extra} critical), threshold ≤ {P(rule.Target)}"
                    + (decision is null ? "" : $"; decision: {CoverageDecision.Explain(decision)}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "unknown kind");
        }
        var status = !enough ? SlaStatus.InsufficientData : breached ? SlaStatus.Breached : SlaStatus.Ok;
        if (!enough)
            why += $"; only {tally.Samples} samples, at least {rule.MinSamples} needed";
        return new SlaResult
        {
            Rule = rule,
            Channel = channel,
            WindowStart = windowEnd - rule.Window,
            WindowEnd = windowEnd,
            Value = value,
            Samples = tally.Samples,
            Status = status,
            Detail = detail,
            Summary = why,
        };
    }

    internal static string P(double? share) => share is null ? "n/a" : (share.Value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}

/// <summary>Where a rule and channel stand between evaluations: the breach episode and whether its incident was raised.</summary>
public sealed record BreachState(string Status, DateTimeOffset? BreachedSince, DateTimeOffset? OkSince, bool IncidentRaised)
{
    public static BreachState Initial { get; } = new(SlaStatus.InsufficientData, null, null, false);
}

public enum BreachAction
{
    None,
    OpenIncident,
    RecordRecovery,
}

/// <summary>
/// One incident per breach episode: the first breached evaluation opens (or joins) the incident; later
/// breached evaluations add nothing. Within target for <see cref="SlaRule.RecoverAfter"/> without
/// interruption records the recovery and ends the episode; too few samples neither breach nor recover.
/// </summary>
public static class BreachEpisodes
{
    public static (BreachState Next, BreachAction Action) Step(BreachState current, string status, DateTimeOffset now, TimeSpan recoverAfter)
    {
        switch (status)
        {
            case SlaStatus.Breached:
                var since = current.Status == SlaStatus.Breached ? current.BreachedSince ?? now : now;
                return current.IncidentRaised
                    ? (new BreachState(status, since, null, true), BreachAction.None)
                    : (new BreachState(status, since, null, true), BreachAction.OpenIncident);
            case SlaStatus.Ok:
                var okSince = current.Status == SlaStatus.Ok ? current.OkSince ?? now : now;
                if (current.IncidentRaised && now - okSince >= recoverAfter)
                    return (new BreachState(status, null, okSince, false), BreachAction.RecordRecovery);
                return (new BreachState(status, current.IncidentRaised ? current.BreachedSince : null, okSince, current.IncidentRaised), BreachAction.None);
            default:
                return (new BreachState(status, current.BreachedSince, null, current.IncidentRaised), BreachAction.None);
        }
    }
}

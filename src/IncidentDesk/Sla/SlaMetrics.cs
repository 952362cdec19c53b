using Dapper;
using Npgsql;
using Prometheus;

namespace IncidentDesk.Sla;

/// <summary>
/// The SLA series. Evaluation runs on one node per cycle, but every node serves /metrics: the gauges are
/// therefore refreshed from <c>sla_rule_state</c> (the latest persisted result per rule and channel) at
/// every scrape, on every node, so any replica Prometheus scrapes tells the same story. The first-response
/// histogram is different: it counts events, so only the node that ran the cycle observes, each contact
/// once (claimed in <c>sla_first_responses_observed</c>); sum it across instances in PromQL.
/// </summary>
/// <remarks>
/// Gauges are in "compliance" terms so that compliance ≥ target always means good: for at_most kinds
/// (agent-error escalations, out-of-hours share) compliance = 1 − measured share and target = 1 − limit.
/// The results table keeps the rule's own terms.
/// </remarks>
public sealed class SlaMetrics(NpgsqlDataSource dataSource, SlaRulesProvider rules)
{
    private static readonly string[] Labels = ["rule", "channel"];

    private static readonly Gauge Compliance = Metrics.CreateGauge("incidentdesk_sla_compliance_ratio",
        "Share of contacts within the SLA over the rule's window (for at-most rules: 1 - measured share). Absent without samples.", Labels);
    private static readonly Gauge Target = Metrics.CreateGauge("incidentdesk_sla_target_ratio",
        "The rule's target in the same terms as incidentdesk_sla_compliance_ratio.", Labels);
    private static readonly Gauge Breached = Metrics.CreateGauge("incidentdesk_sla_breached",
        "1 while the rule is breached (with enough samples), else 0.", Labels);
    private static readonly Gauge Samples = Metrics.CreateGauge("incidentdesk_sla_samples",
        "Contacts, calls or ratings in the rule's latest window.", Labels);
    private static readonly Gauge Csat = Metrics.CreateGauge("incidentdesk_csat_ratio",
        "good / (good + bad) over the CSAT rule's window.", "channel");
    private static readonly Gauge OutOfHours = Metrics.CreateGauge("incidentdesk_contacts_outside_business_ratio",
        "Share of contacts created outside business hours over the out_of_hours_share rule's window (handbook threshold 5 %).", "channel");

    /// <summary>The measured value of these rule kinds is also published under a name of its own, by channel.</summary>
    private static readonly Dictionary<string, Gauge> ValueByKind = new()
    {
        [SlaRuleKinds.Name(SlaRuleKind.Csat)] = Csat,
        [SlaRuleKinds.Name(SlaRuleKind.OutOfHoursShare)] = OutOfHours,
    };

    /// <summary>First response seconds (calendar time), observed once per contact when its first response becomes known.</summary>
    internal static readonly Histogram FirstResponse = Metrics.CreateHistogram("incidentdesk_first_response_seconds",
        "Calendar seconds from contact creation to first response, observed once per contact by the evaluating node.",
        new HistogramConfiguration { LabelNames = ["channel"], Buckets = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800] });

    private readonly Lock gate = new();
    private HashSet<(string Rule, string Channel)> published = [];
    private HashSet<(string Kind, string Channel)> publishedValues = [];

    private sealed record StateRow(string Rule, string Channel, string Kind, double? Value, double Target, string Direction, long Samples, string Status);

    /// <summary>Sets every SLA gauge from the database. Series of rules this node no longer knows are removed.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var known = rules.Current().Rules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<StateRow>(new CommandDefinition(
            "SELECT rule, channel, kind, value, target, direction, samples, status FROM sla_rule_state", cancellationToken: ct)))
            .Where(r => known.Contains(r.Rule)).ToList();
        lock (gate)
        {
            var now = new HashSet<(string, string)>();
            var valuesNow = new HashSet<(string Kind, string Channel)>();
            foreach (var r in rows)
            {
                now.Add((r.Rule, r.Channel));
                var atMost = r.Direction == "at_most";
                if (r.Value is { } v)
                    Compliance.WithLabels(r.Rule, r.Channel).Set(atMost ? 1 - v : v);
                else
                    Compliance.RemoveLabelled(r.Rule, r.Channel);
                Target.WithLabels(r.Rule, r.Channel).Set(atMost ? 1 - r.Target : r.Target);
                Breached.WithLabels(r.Rule, r.Channel).Set(r.Status == SlaStatus.Breached ? 1 : 0);
                Samples.WithLabels(r.Rule, r.Channel).Set(r.Samples);
                if (ValueByKind.TryGetValue(r.Kind, out var gauge) && r.Value is { } value)
                {
                    gauge.WithLabels(r.Channel).Set(value);
                    valuesNow.Add((r.Kind, r.Channel));
                }
            }
            // Only series this instance published itself are retracted: several services may share a
            // process (tests), and one must not wipe another's series.
            foreach (var (rule, channel) in published.Except(now))
            {
                Compliance.RemoveLabelled(rule, channel);
                Target.RemoveLabelled(rule, channel);
                Breached.RemoveLabelled(rule, channel);
                Samples.RemoveLabelled(rule, channel);
            }
            foreach (var (kind, channel) in publishedValues.Except(valuesNow))
                ValueByKind[kind].RemoveLabelled(channel);
            published = now;
            publishedValues = valuesNow;
        }
    }
}

using IncidentDesk.Incidents;
using Npgsql;
using Prometheus;

namespace IncidentDesk.Reviews;

/// <summary>Opens the review when the incident is resolved, stamps it when published, and records the incident durations.</summary>
internal sealed class ReviewListener(TimeProvider time) : IIncidentListener
{
    internal static readonly Histogram TimeToAcknowledge = Metrics.CreateHistogram(
        "incidentdesk_incident_time_to_acknowledge_seconds", "Time from an incident's opening to its acknowledgment.",
        new HistogramConfiguration { Buckets = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400] });

    internal static readonly Histogram TimeToResolve = Metrics.CreateHistogram(
        "incidentdesk_incident_time_to_resolve_seconds", "Time from an incident's opening to its resolution.",
        new HistogramConfiguration { Buckets = [300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800] });

    public async Task OnChangedAsync(IncidentChange change, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var incident = change.Incident;
        switch (change.Kind)
        {
            case IncidentChangeKind.Acknowledged when incident.AcknowledgedAt is { } at:
                // Observed inside the transaction: a rolled-back acknowledgment is counted all the same; that is rare and harmless.
                TimeToAcknowledge.Observe(Math.Max(0, (at - incident.OpenedAt).TotalSeconds));
                break;
            case IncidentChangeKind.StatusChanged when incident.Status == IncidentStatus.Resolved:
                await ReviewStore.OpenAsync(transaction, incident.Id, time.GetUtcNow(), ct);
                await Runbooks.RunbookStore.AppendEventAsync(transaction, incident.Id, time.GetUtcNow(), "runbook", "review-opened",
                    $"post-incident review opened: GET /api/v1/incidents/{incident.Id}/review", null, ct);
                if (incident.ResolvedAt is { } resolved)
                    TimeToResolve.Observe(Math.Max(0, (resolved - incident.OpenedAt).TotalSeconds));
                break;
            case IncidentChangeKind.StatusChanged when incident.Status == IncidentStatus.Reviewed:
                await ReviewStore.PublishAsync(transaction, incident.Id, change.Actor, time.GetUtcNow(), ct);
                break;
        }
    }
}

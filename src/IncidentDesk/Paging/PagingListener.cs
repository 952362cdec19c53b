using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IncidentDesk.Paging;

/// <summary>
/// Pages on <see cref="IncidentChangeKind.Opened"/> and stops paging on any move out of <c>triggered</c>, inside the
/// incident's own transaction: the first round of pages and the escalation row commit with the incident, the
/// cancellation commits with the acknowledgment.
/// </summary>
internal sealed class PagingListener(
    OnCallDirectory onCall,
    PagePlanner planner,
    EscalationScheduler scheduler,
    IOptions<PagingOptions> options,
    TimeProvider time,
    ILogger<PagingListener> logger) : IIncidentListener
{
    public async Task OnChangedAsync(IncidentChange change, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var incident = change.Incident;
        var now = time.GetUtcNow();
        switch (change.Kind)
        {
            case IncidentChangeKind.Opened:
                var pages = planner.Plan(incident, onCall.EscalationTargets(1), attempt: 1, level: 1);
                if (pages.Count == 0)
                    logger.LogWarning("Incident {Incident}: nobody at escalation level 1 is reachable on an enabled channel", incident.Id);
                await PageStore.InsertPagesAsync(transaction, pages, now, ct);
                var next = Escalation.FirstStep(now, options.Value, onCall.AckTimeouts(options.Value.AckTimeout));
                await PageStore.StartEscalationAsync(transaction, incident.Id, now, next, ct);
                // Armed before commit on purpose: a trigger whose transaction rolls back finds no escalation row and
                // does nothing, while a trigger armed after commit could be lost to a crash in between.
                await scheduler.ArmAsync(incident.Id, next, ct);
                break;

            case IncidentChangeKind.Acknowledged:
            case IncidentChangeKind.StatusChanged when incident.Status != IncidentStatus.Triggered:
                await PageStore.StopAsync(transaction, incident.Id, now, ct);
                if (change.Kind == IncidentChangeKind.Acknowledged)
                {
                    PagingMetrics.AckSeconds.Observe(Math.Max(0, (now - incident.OpenedAt).TotalSeconds));
                    if (planner.IsEnabled("slack"))
                        await PageStore.InsertAckNoticeAsync(transaction, incident.Id, incident.AcknowledgedBy ?? change.Actor, incident.Title, incident.Severity, now, ct);
                }
                // If this transaction rolls back, the escalation row stays active and EscalationSweep re-arms it.
                await scheduler.DisarmAsync(incident.Id, ct);
                break;
        }
    }
}

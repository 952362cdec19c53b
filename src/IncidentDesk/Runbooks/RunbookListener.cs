using IncidentDesk.Incidents;
using Npgsql;

namespace IncidentDesk.Runbooks;

/// <summary>
/// Keeps the steps in step with the lifecycle, inside the incident's transaction: the runbook is attached when
/// the incident opens, <c>acknowledge</c> steps complete with the acknowledgment, <c>review</c> steps get their
/// deadline at resolution and complete when the review is published (status reviewed).
/// </summary>
internal sealed class RunbookListener(RunbookCatalog catalog, TimeProvider time) : IIncidentListener
{
    public async Task OnChangedAsync(IncidentChange change, NpgsqlTransaction tx, CancellationToken ct)
    {
        var incident = change.Incident;
        var now = time.GetUtcNow();
        switch (change.Kind)
        {
            case IncidentChangeKind.Opened:
                var runbook = catalog.Select(incident);
                // No timeline line for attaching: the incident detail names the runbook, and the timeline starts with the trigger.
                await RunbookStore.AttachAsync(tx, incident.Id, runbook, incident.OpenedAt, ct);
                break;
            case IncidentChangeKind.Acknowledged:
                await CompleteKindAsync(tx, incident.Id, StepKinds.Acknowledge, change.Actor, now, ct);
                break;
            case IncidentChangeKind.StatusChanged when incident.Status == IncidentStatus.Resolved:
                var steps = await RunbookStore.StepsAsync(tx, incident.Id, ct);
                var deadlines = steps.Where(s => s.Kind == StepKinds.Review)
                    .Select(s => (s.StepId, Deadline: catalog.Find(s.Runbook)?.Step(s.StepId)?.Deadline ?? TimeSpan.FromDays(5)))
                    .ToDictionary(s => s.StepId, s => s.Deadline);
                await RunbookStore.SetReviewDueAsync(tx, incident.Id, incident.ResolvedAt ?? now, deadlines, ct);
                break;
            case IncidentChangeKind.StatusChanged when incident.Status == IncidentStatus.Reviewed:
                await CompleteKindAsync(tx, incident.Id, StepKinds.Review, change.Actor, now, ct);
                break;
        }
    }

    private static async Task CompleteKindAsync(NpgsqlTransaction tx, long incidentId, string kind, string by, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var step in (await RunbookStore.StepsAsync(tx, incidentId, ct)).Where(s => s.Kind == kind && !s.IsFinished))
        {
            if (await RunbookStore.CompleteAsync(tx, incidentId, step.StepId, by, now, StepStatus.Done, ct))
                await RunbookStore.AppendEventAsync(tx, incidentId, now, by, "step-done", $"step '{step.StepId}' ({kind}) done by {by}", new { step = step.StepId }, ct);
        }
    }
}

using IncidentDesk.Incidents;
using IncidentDesk.Runbooks.Rollback;

namespace IncidentDesk.Runbooks;

/// <summary>Outcome of a person's request on a step.</summary>
public enum StepRequestResult
{
    Done,
    AlreadyDone,
    NotFound,
    NotAllowed,
    Failed,
}

/// <summary>A step as shown with the incident: its state, deadline and the runbook's guidance for it.</summary>
public sealed record StepView(
    string Id, string Kind, string Owner, string Status, DateTimeOffset? DueAt, bool Overdue, int Attempts, string? LastError,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? CompletedAt, string? CompletedBy, System.Text.Json.Nodes.JsonObject Result, string? Guidance);

/// <summary>What people do with runbook steps through the API and the CLI.</summary>
public sealed class RunbookService(
    RunbookStore store,
    RunbookCatalog catalog,
    IncidentService incidents,
    RollbackStepExecutor rollback,
    Npgsql.NpgsqlDataSource dataSource,
    TimeProvider time)
{
    public async Task<(string? Runbook, IReadOnlyList<StepView> Steps)> StepsAsync(long incidentId, CancellationToken ct)
    {
        var rows = await store.StepsAsync(incidentId, ct);
        var now = time.GetUtcNow();
        var runbook = rows.Count == 0 ? null : catalog.Find(rows[0].Runbook);
        var views = rows.Select(s => new StepView(
            s.StepId, s.Kind, s.OwnerRole, s.Status, s.DueAt, !s.IsFinished && s.DueAt <= now, s.Attempts, s.LastError,
            s.NextAttemptAt, s.CompletedAt, s.CompletedBy, s.Result, runbook?.Guidance.GetValueOrDefault(s.StepId))).ToList();
        return (rows.Count == 0 ? null : rows[0].Runbook, views);
    }

    /// <summary>
    /// Completes a step by hand. <c>acknowledge</c> acknowledges the incident and <c>review</c> publishes the review
    /// (status reviewed), so the lifecycle stays the one place that says what happened; any other step is marked done.
    /// </summary>
    public async Task<(StepRequestResult Result, string Detail)> CompleteAsync(long incidentId, string stepId, string by, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(incidentId, ct);
        var step = incident is null ? null : await store.StepAsync(incidentId, stepId, ct);
        if (incident is null || step is null)
            return (StepRequestResult.NotFound, incident is null ? $"incident {incidentId} does not exist" : $"incident {incidentId} has no step '{stepId}'");
        if (step.IsFinished)
            return (StepRequestResult.AlreadyDone, $"step '{stepId}' is already {step.Status}");
        switch (step.Kind)
        {
            case StepKinds.Acknowledge:
                return FromTransition(await incidents.AcknowledgeAsync(incidentId, by, $"runbook step '{stepId}'", ct), "acknowledged");
            case StepKinds.Review:
                return FromTransition(await incidents.MoveAsync(incidentId, IncidentStatus.Reviewed, by, $"post-incident review published by {by}", ct), "reviewed");
        }
        if (incident.Status == IncidentStatus.Reviewed)
            return (StepRequestResult.NotAllowed, $"incident {incidentId} is reviewed: its steps are closed");
        var how = StepKinds.Automated.Contains(step.Kind) ? " by hand (automation stopped)" : "";
        var done = await store.CompleteAsync(incidentId, stepId, by, time.GetUtcNow(), "step-done", $"step '{stepId}' ({step.Kind}) done{how} by {by}", new { step = stepId }, ct);
        return done ? (StepRequestResult.Done, "done") : (StepRequestResult.AlreadyDone, "already done");
    }

    /// <summary>Reverses a done rollback step: the flag goes back to its recorded previous state, verified.</summary>
    public async Task<(StepRequestResult Result, string Detail)> ReverseAsync(long incidentId, string stepId, string by, CancellationToken ct)
    {
        var step = await store.StepAsync(incidentId, stepId, ct);
        if (step is null)
            return (StepRequestResult.NotFound, $"incident {incidentId} has no step '{stepId}'");
        if (step.Kind != StepKinds.Rollback)
            return (StepRequestResult.NotAllowed, $"step '{stepId}' is a {step.Kind} step; only rollback steps can be reversed");
        if (step.Status == StepStatus.Reversed)
            return (StepRequestResult.AlreadyDone, "already reversed");
        if (step.Status != StepStatus.Done)
            return (StepRequestResult.NotAllowed, $"step '{stepId}' has not rolled anything back yet (status {step.Status})");
        var error = await rollback.ReverseAsync(step, ct);
        if (error is not null)
        {
            await incidents.AddEventAsync(incidentId, by, "step-reverse-failed", $"reversing step '{stepId}' failed: {error}", new { step = stepId }, ct);
            return (StepRequestResult.Failed, error);
        }
        var flag = step.Result["flag"]?.GetValue<string>();
        var previous = step.Result["previous"]!.GetValue<bool>();
        await store.MarkReversedAsync(incidentId, stepId, by, time.GetUtcNow(),
            $"step '{stepId}' reversed by {by}: feature flag '{flag}' is {RollbackStepExecutor.OnOff(previous)} again (verified)", new { step = stepId, flag }, ct);
        return (StepRequestResult.Done, "reversed");
    }

    /// <summary>Sets the ETA customers are told; a change re-opens the done communicate steps so customers hear the new time.</summary>
    public async Task<(StepRequestResult Result, string Detail)> SetEtaAsync(long incidentId, DateTimeOffset eta, string by, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(incidentId, ct);
        if (incident is null)
            return (StepRequestResult.NotFound, $"incident {incidentId} does not exist");
        if (!IncidentStatus.Open.Contains(incident.Status))
            return (StepRequestResult.NotAllowed, $"incident {incidentId} is {incident.Status}: no ETA to announce");
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var changed = await RunbookStore.ChangeEtaAsync(tx, incidentId, eta, by, now, ct);
        if (changed is null)
            return (StepRequestResult.AlreadyDone, "the ETA is unchanged");
        var reopened = await store.ReopenCommunicateStepsAsync(tx, incidentId, now, ct);
        await RunbookStore.AppendEventAsync(tx, incidentId, now, by, "eta",
            $"ETA set to {eta:yyyy-MM-dd HH:mm} UTC by {by} (version {changed.Version}){(reopened > 0 ? "; customers will be told the new time" : "")}",
            new { eta, version = changed.Version }, ct);
        await tx.CommitAsync(ct);
        return (StepRequestResult.Done, $"version {changed.Version}");
    }

    private static (StepRequestResult, string) FromTransition(TransitionResult result, string to) => result switch
    {
        TransitionResult.Done => (StepRequestResult.Done, to),
        TransitionResult.AlreadyThere => (StepRequestResult.AlreadyDone, $"already {to}"),
        TransitionResult.NotFound => (StepRequestResult.NotFound, "incident does not exist"),
        _ => (StepRequestResult.NotAllowed, $"the incident cannot move to '{to}' from its current status"),
    };
}

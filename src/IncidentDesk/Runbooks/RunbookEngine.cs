using System.Text.Json.Nodes;
using IncidentDesk.Incidents;
using IncidentDesk.Runbooks.Escalate;
using Microsoft.Extensions.Options;
using Quartz;

namespace IncidentDesk.Runbooks;

/// <summary>
/// One pass of the step driver: runs the automated steps that are due (dependencies done, retry time come),
/// pages the owners of overdue steps, follows escalated Jira issues. Everything it decides on is a row and
/// <c>@now</c>, so a pass after a crash or on another node carries on where the last one stopped.
/// </summary>
public sealed class RunbookEngine(
    RunbookStore store,
    RunbookCatalog catalog,
    IncidentService incidents,
    IEnumerable<IStepExecutor> executors,
    IStepOwnerPager pager,
    IOptions<RunbooksOptions> options,
    TimeProvider time,
    ILogger<RunbookEngine> logger)
{
    private readonly Dictionary<string, IStepExecutor> executors = executors.ToDictionary(e => e.Kind);

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await RunDueStepsAsync(ct);
        await PageOverdueOwnersAsync(ct);
        await FollowEscalationsAsync(ct);
    }

    private async Task RunDueStepsAsync(CancellationToken ct)
    {
        foreach (var group in (await store.DueAutomatedStepsAsync(time.GetUtcNow(), ct)).GroupBy(s => s.IncidentId))
        {
            var all = await store.StepsAsync(group.Key, ct);
            var incident = await incidents.GetAsync(group.Key, ct);
            if (incident is null)
                continue;
            foreach (var step in group)
            {
                // Automated steps start once the incident is acknowledged (a person owns it) and their predecessors are done.
                if (incident.Status == IncidentStatus.Triggered || !step.AfterSteps.All(d => all.FirstOrDefault(s => s.StepId == d)?.IsFinished == true))
                    continue;
                await RunStepAsync(incident, step, ct);
            }
        }
    }

    private async Task RunStepAsync(Incident incident, StepRow step, CancellationToken ct)
    {
        var definition = catalog.Find(step.Runbook)?.Step(step.StepId);
        if (definition is null || !executors.TryGetValue(step.Kind, out var executor))
        {
            await store.ScheduleRetryAsync(step, $"runbook '{step.Runbook}' no longer defines step '{step.StepId}'", time.GetUtcNow() + options.Value.MaxRetryDelay, ct);
            return;
        }
        await store.MarkRunningAsync(step, ct);
        if (step.Attempts == 0)
            await incidents.AddEventAsync(incident.Id, "runbook", "step-started", $"step '{step.StepId}' ({step.Kind}) started", new { step = step.StepId }, ct);

        StepOutcome outcome;
        try
        {
            outcome = await executor.ExecuteAsync(
                new StepRun(incident, step, definition, step.Result, result => store.SaveResultAsync(incident.Id, step.StepId, result, ct)), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // An unexpected failure is retried like a vendor outage; the deadline page brings a person if it persists.
            logger.LogError(e, "Incident {IncidentId}: step {Step} failed unexpectedly", incident.Id, step.StepId);
            outcome = new StepOutcome.Retry($"{e.GetType().Name}: {e.Message}");
        }

        var now = time.GetUtcNow();
        switch (outcome)
        {
            case StepOutcome.Done done:
                await store.SaveResultAsync(incident.Id, step.StepId, done.Result, ct);
                await store.CompleteAsync(incident.Id, step.StepId, "runbook", now, "step-done", $"step '{step.StepId}' ({step.Kind}) done: {done.Message}",
                    new { step = step.StepId, result = done.Result }, ct);
                // A verified rollback is the mitigation: the lifecycle says so.
                if (step.Kind == StepKinds.Rollback && incident.Status == IncidentStatus.Acknowledged)
                    await incidents.MoveAsync(incident.Id, IncidentStatus.Mitigating, "runbook", $"mitigating: step '{step.StepId}' rolled the feature flag back", ct);
                break;
            case StepOutcome.Retry retry:
                var attempt = step.Attempts + 1;
                var backoff = TimeSpan.FromTicks(Math.Min(options.Value.RetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20)), options.Value.MaxRetryDelay.Ticks));
                var at = now + (retry.After is { } after && after > backoff ? after : backoff);
                await store.ScheduleRetryAsync(step, retry.Error, at, ct);
                // A vendor down for an hour would write a line per attempt; the step shows attempts and last error,
                // the timeline gets a line when the failure is new or changes.
                if (retry.Error != step.LastError)
                    await incidents.AddEventAsync(incident.Id, "runbook", "step-retry",
                        $"step '{step.StepId}' ({step.Kind}) attempt {attempt} failed: {retry.Error}; next attempt at {at:yyyy-MM-dd HH:mm:ss} UTC",
                        new { step = step.StepId, attempt, error = retry.Error, nextAttemptAt = at }, ct);
                break;
        }
    }

    private async Task PageOverdueOwnersAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var step in await store.OverdueStepsAsync(now, ct))
        {
            var why = step.LastError is null ? "" : $" (last error: {step.LastError})";
            await pager.PageAsync(step.IncidentId, step.OwnerRole,
                $"incident {step.IncidentId}: step '{step.StepId}' ({step.Kind}) is overdue since {step.DueAt:yyyy-MM-dd HH:mm} UTC{why}", ct);
            await store.MarkOverduePagedAsync(step, now, ct);
        }
    }

    private async Task FollowEscalationsAsync(CancellationToken ct)
    {
        if (!executors.TryGetValue(StepKinds.Escalate, out var executor) || executor is not EscalateStepExecutor escalate)
            return;
        var now = time.GetUtcNow();
        foreach (var step in await store.EscalationsToFollowAsync(now - options.Value.FollowInterval, ct))
        {
            try
            {
                await escalate.FollowAsync(step, now, result => store.SaveResultAsync(step.IncidentId, step.StepId, result, ct), ct);
            }
            catch (VendorException e)
            {
                logger.LogWarning("Incident {IncidentId}: cannot read Jira issue status: {Error}", step.IncidentId, e.Message);
                await store.SaveResultAsync(step.IncidentId, step.StepId, new JsonObject { ["followedAt"] = now.ToString("O") }, ct);
            }
        }
    }
}

/// <summary>Runs <see cref="RunbookEngine.RunOnceAsync"/>; one node at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class DriveRunbooksJob(RunbookEngine engine) : IJob
{
    public static readonly JobKey Key = new("drive-runbooks", "runbooks");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await engine.RunOnceAsync(cancellationToken);
}

/// <summary>Puts the driver's repeating trigger into the persistent store at start (built on the injected clock).</summary>
internal sealed class DriveRunbooksSchedule(ISchedulerFactory schedulers, IOptions<RunbooksOptions> options, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<DriveRunbooksJob>().WithIdentity(DriveRunbooksJob.Key).StoreDurably().RequestRecovery().Build();
        var trigger = TriggerBuilder.Create(time).WithIdentity("drive-runbooks", "runbooks").ForJob(DriveRunbooksJob.Key)
            .StartAt(time.GetUtcNow())
            // After downtime, one pass catches up on everything: no burst of missed passes.
            .WithSimpleSchedule(s => s.WithInterval(options.Value.PollInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

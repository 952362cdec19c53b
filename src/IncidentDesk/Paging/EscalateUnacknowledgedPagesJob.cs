using System.Globalization;
using Dapper;
using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace IncidentDesk.Paging;

/// <summary>
/// Fires at an incident's next repeat or escalation. It trusts nothing but the database: a trigger that fires late,
/// twice, or after the acknowledgment re-reads the incident and its escalation row under lock and does nothing
/// unless a step is really due.
/// </summary>
internal sealed class EscalateUnacknowledgedPagesJob(
    NpgsqlDataSource dataSource,
    IncidentService incidents,
    OnCallDirectory onCall,
    PagePlanner planner,
    EscalationScheduler scheduler,
    IOptions<PagingOptions> options,
    TimeProvider time,
    ILogger<EscalateUnacknowledgedPagesJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var raw = context.MergedJobDataMap.GetString("incidentId");
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var incidentId))
        {
            logger.LogError("Escalation trigger {Trigger} carries no incident id", context.Trigger.Key);
            return;
        }
        await StepAsync(incidentId, ct);
    }

    /// <summary>Takes the step that is due for the incident, if any, and arms the trigger for the next one.</summary>
    public async Task StepAsync(long incidentId, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(incidentId, ct);
        if (incident is null)
            return;
        EscalationRow? next;
        bool escalated;
        IReadOnlyList<NewPage> pages;
        var now = time.GetUtcNow();
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            // Lock order incident → escalation, the same as an acknowledgment (which locks the incident, then stops
            // the escalation in its listener): the two wait for each other instead of deadlocking.
            var status = await connection.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT status FROM incidents WHERE id = @incidentId FOR SHARE", new { incidentId }, tx, cancellationToken: ct));
            var row = await PageStore.LockEscalationAsync(tx, incidentId, ct);
            if (row is null || row.StoppedAt is not null)
                return;
            if (status != IncidentStatus.Triggered)
            {
                await PageStore.StopAsync(tx, incidentId, now, ct);
                await tx.CommitAsync(ct);
                return;
            }
            if (now < row.NextAt)
            {
                // Woken early (by the resume sweep or a replaced trigger): just make sure the real time is armed.
                await tx.CommitAsync(ct);
                await scheduler.ArmAsync(incidentId, row.NextAt, ct);
                return;
            }
            (next, escalated) = Escalation.Step(row, now, options.Value, onCall.AckTimeouts(options.Value.AckTimeout));
            pages = planner.Plan(incident, onCall.EscalationTargets(next.Level), next.Attempt, next.Level);
            await PageStore.InsertPagesAsync(tx, pages, now, ct);
            await PageStore.UpdateEscalationAsync(tx, next, ct);
            await tx.CommitAsync(ct);
        }
        if (escalated)
            PagingMetrics.Escalations.WithLabels(next.Level.ToString(CultureInfo.InvariantCulture)).Inc();
        var who = string.Join(", ", pages.Select(p => p.Person).Distinct());
        await incidents.AddEventAsync(incidentId, "paging", escalated ? "escalated" : "repeated",
            escalated
                ? $"not acknowledged within {onCall.AckTimeout(next.Level - 1, options.Value.AckTimeout)}: escalated to level {next.Level}, paging {who}"
                : $"not acknowledged yet: page repeated to {who} (level {next.Level}, attempt {next.Attempt})",
            new { level = next.Level, attempt = next.Attempt }, ct);
        await scheduler.ArmAsync(incidentId, next.NextAt, ct);
    }
}

/// <summary>
/// The safety net under the per-incident triggers: an active escalation whose step is overdue and whose trigger is
/// gone (lost between a commit and a Quartz call, or removed by an acknowledgment that then rolled back) is re-armed.
/// Run by every node's <see cref="PageSender"/> loop rather than by a Quartz trigger of its own: it is idempotent,
/// and a permanent trigger would keep the job store from ever being empty.
/// </summary>
internal sealed class EscalationSweep(PageStore store, EscalationScheduler scheduler, TimeProvider time, ILogger<EscalationSweep> logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private DateTimeOffset last = DateTimeOffset.MinValue;

    /// <summary>Sweeps when <see cref="Every"/> has passed on the injected clock since the last sweep.</summary>
    public async Task RunIfDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now - last < Every)
            return;
        last = now;
        foreach (var incidentId in await store.OverdueEscalationsAsync(now, Every, ct))
        {
            if (await scheduler.IsArmedAsync(incidentId, ct))
                continue;
            logger.LogWarning("Escalation of incident {Incident} had no trigger; re-armed", incidentId);
            await scheduler.ArmAsync(incidentId, now, ct);
        }
    }
}

using Quartz;

namespace IncidentDesk.Paging;

/// <summary>
/// One persistent Quartz trigger per unacknowledged incident, named after it, so that acknowledging can remove it
/// by name and a restart or another node picks it up from the job store.
/// </summary>
public sealed class EscalationScheduler(ISchedulerFactory factory, TimeProvider time)
{
    public static readonly JobKey EscalateJob = new("escalate-unacknowledged-pages", "paging");

    public static TriggerKey TriggerFor(long incidentId) => new($"escalate-{incidentId}", "paging");

    /// <summary>Makes the incident's trigger fire at <paramref name="at"/>, creating or replacing it.</summary>
    public async Task ArmAsync(long incidentId, DateTimeOffset at, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        var key = TriggerFor(incidentId);
        // The fake clock in tests reaches Quartz only through triggers built with it.
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(key)
            .ForJob(EscalateJob)
            .UsingJobData("incidentId", incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        // Replace: the job re-arms its own trigger for the next step, and a re-arm always carries the newest time.
        await scheduler.ScheduleJob(trigger, new ScheduleJobOptions { Replace = true }, ct);
    }

    public async Task DisarmAsync(long incidentId, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        await scheduler.UnscheduleJob(TriggerFor(incidentId), ct);
    }

    public async Task<bool> IsArmedAsync(long incidentId, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        return await scheduler.GetTrigger(TriggerFor(incidentId), ct) is not null;
    }

    /// <summary>Stores the durable escalation job that the per-incident triggers point at.</summary>
    public async Task EnsureJobAsync(CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        await scheduler.AddJob(JobBuilder.Create<EscalateUnacknowledgedPagesJob>().WithIdentity(EscalateJob).StoreDurably().Build(), new AddJobOptions { Replace = true }, ct);
    }
}

using Microsoft.Extensions.Options;
using Quartz;

namespace IncidentDesk.Sla;

/// <summary>
/// Evaluates every SLA rule once. One batch job rather than one per rule: the change scan that keeps the
/// rollups current is shared by all rules, and one cycle commits as a whole. Not concurrent across the
/// cluster; a burst of misfired runs after a failover just evaluates the same window again.
/// </summary>
[DisallowConcurrentExecution]
public sealed class EvaluateSlaRulesJob(SlaEvaluator evaluator, SlaRulesProvider rules, TimeProvider time) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await evaluator.EvaluateAsync(rules.Current(), time.GetUtcNow(), cancellationToken);
    }
}

/// <summary>Puts the evaluation job on the cluster's schedule (once; a changed interval replaces the trigger).</summary>
internal sealed class SlaSchedule(ISchedulerFactory schedulers, IOptions<SlaOptions> options, TimeProvider time, ILogger<SlaSchedule> logger) : IHostedService
{
    public static readonly JobKey Job = new("evaluate-sla-rules", "sla");
    public static readonly TriggerKey Trigger = new("evaluate-sla-rules", "sla");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var interval = options.Value.EvaluationInterval;
        if (await scheduler.GetTrigger(Trigger, cancellationToken) is ISimpleTrigger existing && existing.RepeatInterval == interval)
            return;
        var job = JobBuilder.Create<EvaluateSlaRulesJob>().WithIdentity(Job).StoreDurably().Build();
        // The first run waits one interval: a node that just started has nothing new to say, and a
        // process started with a fake clock that never moves (tests) never evaluates by surprise.
        var trigger = TriggerBuilder.Create(time).WithIdentity(Trigger).ForJob(Job)
            .StartAt(time.GetUtcNow() + interval)
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
            logger.LogInformation("SLA rules are evaluated every {Interval}", interval);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node scheduled it at the same moment.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

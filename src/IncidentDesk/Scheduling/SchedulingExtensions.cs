using IncidentDesk.Configuration;
using IncidentDesk.Storage;
using Quartz;

namespace IncidentDesk.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Quartz on its clustered PostgreSQL job store, driven by <paramref name="timeProvider"/>.
    /// The tables come from our migrations; the job store only validates them.
    /// </summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration, TimeProvider timeProvider)
    {
        services.AddValidatedOptions<SchedulerOptions>("Scheduler");
        var options = configuration.GetSection("Scheduler").Get<SchedulerOptions>() ?? new SchedulerOptions();
        var connectionString = configuration.GetConnectionString(StorageExtensions.ConnectionStringName) ?? "";

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.InstanceName;
                // Unique per process: the cluster tells nodes apart by this id (Quartz's "AUTO" is not resolved here).
                s.InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
                s.IdleWaitTime = options.IdleWaitTime;
                // Escalation triggers come in bursts (many incidents due in the same seconds): acquire up to
                // a thread pool's worth per round instead of one at a time.
                s.MaxBatchSize = options.ThreadCount;
                // On shutdown, cancel running jobs' tokens instead of letting one hang the stop: every job is
                // transactional or idempotent, and another node (or the next start) picks the work up again.
                s.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            q.UseDefaultThreadPool(options.ThreadCount);
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(connectionString);
                s.UseClustering(c =>
                {
                    c.CheckinInterval = options.CheckinInterval;
                    c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                });
                s.UseSystemTextJsonSerializer();
                s.ConfigureStore(store =>
                {
                    store.SchemaProvisioning = SchemaProvisioning.Validate;
                    store.MisfireThreshold = options.MisfireThreshold;
                    // Required with batch acquisition in a cluster, so two nodes never acquire the same trigger.
                    store.AcquireTriggersWithinLock = true;
                });
            });
            q.UseTimeProvider(timeProvider);
            q.AddJobListener<JobMetricsListener>();
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}

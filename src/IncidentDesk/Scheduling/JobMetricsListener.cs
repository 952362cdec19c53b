using Prometheus;
using Quartz;

namespace IncidentDesk.Scheduling;

/// <summary>Counts job runs and failures per job type, so a silently failing job shows on the boards.</summary>
internal sealed class JobMetricsListener : IJobListener
{
    private static readonly Counter Runs = Metrics.CreateCounter(
        "incidentdesk_job_runs_total", "Quartz job executions on this node.", "job_type");
    private static readonly Counter Failures = Metrics.CreateCounter(
        "incidentdesk_job_failures_total", "Quartz job executions that threw.", "job_type");
    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "incidentdesk_job_duration_seconds", "Quartz job execution time.",
        new HistogramConfiguration { LabelNames = ["job_type"], Buckets = Histogram.ExponentialBuckets(0.005, 4, 8) });

    public string Name => nameof(JobMetricsListener);

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var job = context.JobDetail.JobType.Type.Name;
        Runs.WithLabels(job).Inc();
        Duration.WithLabels(job).Observe(context.JobRunTime.TotalSeconds);
        if (jobException is not null)
            Failures.WithLabels(job).Inc();
        return default;
    }
}

using Prometheus;

namespace IncidentDesk.Web;

/// <summary>
/// Gauges read from the database just before each scrape of this node's <c>/metrics</c>, so every node reports
/// the cluster's state.
/// </summary>
public sealed class ScrapeRefresh(TimeProvider time, ILogger<ScrapeRefresh> logger)
{
    /// <summary>
    /// How long the refreshes of one scrape may take together: half of Prometheus' default <c>scrape_timeout</c>.
    /// A database that hangs (rather than refusing) must not turn every scrape into a timeout and the service into
    /// "down"; past the budget the gauges keep their last values and <c>incidentdesk_database_up</c> says why.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// prometheus-net's gauges live in one registry per process. Refresh and export run under one process-wide gate,
    /// so a concurrent scrape (a second Prometheus, or a second app in the same process as in the tests) cannot write
    /// its own values between this scrape's refresh and its export.
    /// </summary>
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private readonly Lock sync = new();
    private Func<CancellationToken, Task>[] refreshes = [];

    /// <summary>Runs <paramref name="refresh"/> before every scrape of this app's <c>/metrics</c>.</summary>
    public void Add(Func<CancellationToken, Task> refresh)
    {
        lock (sync)
            refreshes = [.. refreshes, refresh];
    }

    /// <summary>Runs the refreshes, then the metrics endpoint, for requests to <c>/metrics</c>.</summary>
    public static void Use(WebApplication app)
    {
        var scrape = app.Services.GetRequiredService<ScrapeRefresh>();
        app.UseWhen(
            context => context.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(next => context => scrape.ExportAsync(context, next)));
    }

    private async Task ExportAsync(HttpContext context, RequestDelegate export)
    {
        var aborted = context.RequestAborted;
        await Gate.WaitAsync(aborted);
        try
        {
            using var budget = new CancellationTokenSource(Budget, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, budget.Token);
            foreach (var refresh in refreshes)
            {
                if (budget.IsCancellationRequested)
                    break;
                // A failure keeps the gauges' last values: one stale gauge must not blind every board.
                try
                {
                    await refresh(linked.Token).WaitAsync(linked.Token);
                }
                catch (Exception e) when (!aborted.IsCancellationRequested)
                {
                    logger.LogDebug(e, "Metrics refresh failed; keeping the last values");
                }
            }
            if (budget.IsCancellationRequested)
                logger.LogWarning("Metrics refresh took longer than {Budget}; this scrape shows the last values", Budget);
            await export(context);
        }
        finally
        {
            Gate.Release();
        }
    }
}

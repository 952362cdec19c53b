using Prometheus;

namespace IncidentDesk.Web;

/// <summary>
/// Gauges read from the database just before each scrape of this node's <c>/metrics</c>, so every node reports
/// the cluster's state.
/// </summary>
public sealed class ScrapeRefresh(ILogger<ScrapeRefresh> logger)
{
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
        var ct = context.RequestAborted;
        await Gate.WaitAsync(ct);
        try
        {
            foreach (var refresh in refreshes)
            {
                // A failure keeps the gauges' last values: one stale gauge must not blind every board
                // (a database outage shows on /readyz and incidentdesk_database_up).
                try
                {
                    await refresh(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogDebug(e, "Metrics refresh failed; keeping the last values");
                }
            }
            await export(context);
        }
        finally
        {
            Gate.Release();
        }
    }
}

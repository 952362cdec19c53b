using Prometheus;

namespace IncidentDesk.Web;

/// <summary>Gauges read from the database just before each scrape, so every node reports the cluster's state.</summary>
public static class ScrapeRefresh
{
    /// <summary>
    /// Runs <paramref name="refresh"/> before every scrape. A failure keeps the gauges' last values: prometheus-net
    /// answers the whole scrape with 503 when a callback throws, and one stale gauge must not blind every board
    /// (a database outage shows on <c>/readyz</c> and <c>incidentdesk_database_up</c>).
    /// </summary>
    public static void Register(Func<CancellationToken, Task> refresh, ILogger logger) =>
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                await refresh(ct);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Metrics refresh failed; keeping the last values");
            }
        });
}

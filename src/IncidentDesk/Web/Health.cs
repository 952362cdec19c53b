using Dapper;
using IncidentDesk.Storage;
using Npgsql;
using Prometheus;
using Quartz;

namespace IncidentDesk.Web;

/// <summary>Readiness: the database answers and this node's scheduler is running.</summary>
internal sealed class ReadinessProbe(NpgsqlDataSource dataSource, ISchedulerFactory schedulers, ILogger<ReadinessProbe> logger)
{
    private static readonly Gauge DatabaseUp = Metrics.CreateGauge(
        "incidentdesk_database_up", "1 if the last readiness probe reached PostgreSQL, else 0.");
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<(bool Ready, string Database, string Scheduler)> CheckAsync(CancellationToken ct)
    {
        var database = await CheckDatabaseAsync(ct);
        DatabaseUp.Set(database == "ok" ? 1 : 0);
        var scheduler = await schedulers.GetScheduler(ct) is { Status: SchedulerStatus.Running }
            ? "ok"
            : "not started";
        return (database == "ok" && scheduler == "ok", database, scheduler);
    }

    private async Task<string> CheckDatabaseAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return "ok";
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning("Readiness: database unreachable: {Error}", e.Message);
            // Broken pooled connections would otherwise be handed out again after the database returns.
            dataSource.Clear();
            return "unreachable: " + e.Message;
        }
    }
}

internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (ReadinessProbe probe, CancellationToken ct) =>
        {
            var (ready, database, scheduler) = await probe.CheckAsync(ct);
            return Results.Json(new { status = ready ? "ready" : "not ready", database, scheduler },
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}

using Npgsql;
using Prometheus;

namespace IncidentDesk.Incidents;

public static class IncidentsExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddSingleton<IncidentService>();
        return services;
    }

    public static void MapIncidents(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapIncidents();
        api.MapAlertmanager();
        var incidents = app.Services.GetRequiredService<IncidentService>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                await incidents.RefreshOpenGaugeAsync(ct);
            }
            catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or OperationCanceledException)
            {
                // The gauge keeps its last value while the database is away; /readyz reports the outage.
            }
        });
    }
}

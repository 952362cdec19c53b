using IncidentDesk.Web;
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
        app.Services.GetRequiredService<ScrapeRefresh>().Add(incidents.RefreshOpenGaugeAsync);
    }
}

using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Dashboards;

public static class DashboardsExtensions
{
    /// <summary>Grafana options and client, and the checks of <c>dashboards/*.json</c> and <c>alerts/prometheus/*.yml</c>.</summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.AddValidatedOptions<GrafanaOptions>("Grafana");
        services.AddSingleton<ICheck, DashboardFileCheck>();
        services.AddSingleton<ICheck, AlertRuleFileCheck>();
        services.AddHttpClient<GrafanaClient>((sp, http) =>
        {
            var url = sp.GetRequiredService<IOptions<GrafanaOptions>>().Value.Url;
            if (!string.IsNullOrEmpty(url))
                http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}

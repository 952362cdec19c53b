using IncidentDesk.Configuration;
using IncidentDesk.Web;
using Npgsql;
using Prometheus;

namespace IncidentDesk.Sla;

public static class SlaExtensions
{
    /// <summary>SLA rules: the rules file and its check, the evaluator and its Quartz job, the metrics.</summary>
    public static IServiceCollection AddSla(this IServiceCollection services)
    {
        services.AddValidatedOptions<SlaOptions>("Sla");
        services.AddSingleton<SlaRulesProvider>();
        services.AddSingleton<ICheck, SlaRulesCheck>();
        services.AddSingleton<SlaEvaluator>();
        services.AddSingleton<SlaMetrics>();
        services.AddTransient<EvaluateSlaRulesJob>();
        services.AddHostedService<SlaSchedule>();
        services.AddHostedService<SlaMetricsRegistration>();
        return services;
    }

    /// <summary>Refreshes the SLA gauges from the database before every scrape of this node's /metrics.</summary>
    private sealed class SlaMetricsRegistration(SlaMetrics metrics, ScrapeRefresh scrape) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            scrape.Add(metrics.RefreshAsync);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

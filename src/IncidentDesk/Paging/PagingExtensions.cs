using IncidentDesk.Configuration;
using IncidentDesk.Incidents;
using IncidentDesk.Paging.Email;
using IncidentDesk.Paging.Slack;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Paging;

public static class PagingExtensions
{
    /// <summary>The outbox, its senders (Slack and e-mail when configured), escalation with Quartz, and the ack endpoints.</summary>
    public static IServiceCollection AddPaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PagingOptions>("Paging");
        services.AddValidatedOptions<SlackOptions>("Slack");
        services.AddValidatedOptions<SmtpOptions>("Smtp");
        services.AddSingleton<PageStore>();
        services.AddSingleton<PagePlanner>();
        services.AddSingleton<AckLinks>();
        services.AddSingleton<EscalationScheduler>();
        services.AddSingleton<EscalationSweep>();
        services.AddSingleton<IIncidentListener, PagingListener>();
        services.AddSingleton<IIncidentDetails, PageDetails>();
        services.AddSingleton<Runbooks.IStepOwnerPager, StepOwnerPager>();

        services.AddHttpClient<SlackClient>((sp, http) =>
        {
            var baseUrl = sp.GetRequiredService<IOptions<SlackOptions>>().Value.ApiBaseUrl;
            http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            // SlackClient applies its own per-call timeout and turns it into an in-doubt outcome.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        // A channel without configuration is off: its pager is simply not registered, and the planner skips it.
        if (configuration.GetSection("Slack").Get<SlackOptions>() is { Enabled: true })
        {
            services.AddSingleton<SlackPager>();
            services.AddSingleton<IPager>(sp => sp.GetRequiredService<SlackPager>());
            services.AddSingleton<IAckNotifier>(sp => sp.GetRequiredService<SlackPager>());
        }
        if (configuration.GetSection("Smtp").Get<SmtpOptions>() is { Enabled: true })
            services.AddSingleton<IPager, SmtpPager>();

        services.AddHostedService<PageSender>();
        services.AddHostedService<PagingStartup>();
        return services;
    }

    public static void MapPaging(this WebApplication app)
    {
        app.MapSlackInteractions();
        app.MapAckLinks();
        PagingMetrics.Initialize(EscalationLevels(app.Services.GetRequiredService<OnCall.OnCallDirectory>()));
    }

    // A missing or broken oncall.yaml is reported by check and stops serve; building the app must not fail on it.
    private static int EscalationLevels(OnCall.OnCallDirectory directory)
    {
        try
        {
            return directory.LevelCount;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>Stores the escalation job before the HTTP endpoints take traffic.</summary>
    private sealed class PagingStartup(EscalationScheduler scheduler, IOptions<SmtpOptions> smtp, IOptions<PagingOptions> paging, ILogger<PagingStartup> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await scheduler.EnsureJobAsync(cancellationToken);
            if (smtp.Value.Enabled && paging.Value.LinkSecret.Length == 0)
                logger.LogWarning("Paging:LinkSecret is not set: e-mail pages go out without a one-click acknowledgment link");
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Adds <c>pages</c> to <c>GET /api/v1/incidents/{id}</c>.</summary>
    private sealed class PageDetails(PageStore store) : IIncidentDetails
    {
        public string Name => "pages";

        public async Task<object?> GetAsync(long incidentId, CancellationToken ct) => await store.ListAsync(incidentId, ct);
    }
}

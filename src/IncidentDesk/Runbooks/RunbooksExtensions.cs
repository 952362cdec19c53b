using IncidentDesk.Configuration;
using IncidentDesk.Incidents;
using IncidentDesk.Runbooks.Communicate;
using IncidentDesk.Runbooks.Escalate;
using IncidentDesk.Runbooks.Rollback;

namespace IncidentDesk.Runbooks;

public static class RunbooksExtensions
{
    /// <summary>Runbook files and checks, the step rows kept in step with the lifecycle, the step driver and its executors.</summary>
    public static IServiceCollection AddRunbooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RunbooksOptions>("Runbooks");
        services.AddValidatedOptions<FeatureFlagsOptions>("FeatureFlags");
        AddVendor<JiraEscalationOptions>(services, configuration, "Jira");
        AddVendor<ZendeskNoticeOptions>(services, configuration, "Zendesk");

        services.AddSingleton<RunbookCatalog>();
        services.AddSingleton<ICheck, RunbookCheck>();
        services.AddSingleton<RunbookStore>();
        services.AddSingleton<RunbookService>();
        services.AddSingleton<RunbookEngine>();
        services.AddSingleton<StepFaultHook>();
        services.AddSingleton<IIncidentListener, RunbookListener>();

        // The engine retries whole steps on its own schedule (Retry-After included), so the clients do not retry.
        services.AddHttpClient<JiraClient>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient<ZendeskCustomers>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient<UnleashFlags>(c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<FlagdFileFlags>();
        services.AddSingleton<ICustomerMailSender, SmtpCustomerMailSender>();

        services.AddSingleton<EscalateStepExecutor>();
        services.AddSingleton<IStepExecutor>(sp => sp.GetRequiredService<EscalateStepExecutor>());
        services.AddSingleton<IStepExecutor, CommunicateStepExecutor>();
        services.AddSingleton<RollbackStepExecutor>();
        services.AddSingleton<IStepExecutor>(sp => sp.GetRequiredService<RollbackStepExecutor>());

        services.AddHostedService<DriveRunbooksSchedule>();
        return services;
    }

    /// <summary>
    /// A runbook's own vendor section is validated here; the ticket source's section, when used instead, is validated
    /// by the ticket source (once, not twice), and when neither exists the steps that need it wait with a clear error.
    /// </summary>
    private static void AddVendor<T>(IServiceCollection services, IConfiguration configuration, string vendor) where T : RunbookVendorOptions
    {
        var section = RunbookVendorOptions.Section(configuration, vendor);
        if (section.StartsWith("Runbooks:", StringComparison.Ordinal))
            services.AddValidatedOptions<T>(section);
        else
            services.AddOptions<T>().BindConfiguration(section);
    }

    public static void MapRunbooks(this WebApplication app, RouteGroupBuilder api) => api.MapRunbooks();
}

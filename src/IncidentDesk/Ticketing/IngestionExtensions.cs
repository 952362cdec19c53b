using System.Net.Http.Headers;
using System.Text;
using IncidentDesk.Configuration;
using IncidentDesk.Telephony;
using IncidentDesk.Telephony.Twilio;
using IncidentDesk.Ticketing.Freshdesk;
using IncidentDesk.Ticketing.Jira;
using IncidentDesk.Ticketing.Otrs;
using IncidentDesk.Ticketing.Simulated;
using IncidentDesk.Ticketing.Zendesk;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Quartz;

namespace IncidentDesk.Ticketing;

/// <summary>Registers a poller per configured source; a source whose section is absent is off.</summary>
public static class IngestionExtensions
{
    internal const string JobGroup = "ingestion";

    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IngestionOptions>("Ingestion");
        services.AddSingleton<ContactStore>();
        services.AddSingleton<SourceHealth>();
        services.AddSingleton<SourcePoller>();
        services.AddSingleton<ISourceDownNotifier, IncidentSourceDownNotifier>();
        var schedule = new PollSchedule();
        services.AddSingleton(schedule);
        services.AddHostedService<PollScheduleRegistration>();

        if (Section<ZendeskOptions>(services, configuration, ZendeskOptions.Section) is { } zendesk)
        {
            var auth = Basic($"{zendesk.Email}/token:{zendesk.ApiToken}");
            AddSourceClient<ZendeskTicketSource>(services, ZendeskTicketSource.Name, zendesk, auth);
            AddSourceClient<ZendeskRatingSource>(services, ZendeskTicketSource.Name, zendesk, auth);
            AddSourceClient<ZendeskSlaEventSource>(services, ZendeskTicketSource.Name, zendesk, auth);
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<ZendeskTicketSource>());
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<ZendeskRatingSource>());
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<ZendeskSlaEventSource>());
            schedule.Add<PollZendeskJob>("poll-zendesk", zendesk.PollInterval);
        }
        if (Section<JiraOptions>(services, configuration, JiraOptions.Section) is { } jira)
        {
            AddSourceClient<JiraTicketSource>(services, JiraTicketSource.Name, jira, Basic($"{jira.Email}:{jira.ApiToken}"));
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<JiraTicketSource>());
            schedule.Add<PollJiraJob>("poll-jira", jira.PollInterval);
        }
        if (Section<FreshdeskOptions>(services, configuration, FreshdeskOptions.Section) is { } freshdesk)
        {
            AddSourceClient<FreshdeskTicketSource>(services, FreshdeskTicketSource.Name, freshdesk, Basic($"{freshdesk.ApiKey}:X"));
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<FreshdeskTicketSource>());
            schedule.Add<PollFreshdeskJob>("poll-freshdesk", freshdesk.PollInterval);
        }
        if (Section<OtrsOptions>(services, configuration, OtrsOptions.Section) is { } otrs)
        {
            services.AddSingleton<OtrsSession>();
            AddSourceClient<OtrsTicketSource>(services, OtrsTicketSource.Name, otrs, auth: null);
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<OtrsTicketSource>());
            schedule.Add<PollOtrsJob>("poll-otrs", otrs.PollInterval);
        }
        if (Section<SimulatedDeskOptions>(services, configuration, SimulatedDeskOptions.Section) is { } simulated)
        {
            services.AddSingleton<SimulatedDeskSource>();
            services.AddSingleton<IContactSource>(sp => sp.GetRequiredService<SimulatedDeskSource>());
            schedule.Add<PollSimulatedDeskJob>("poll-simulated", simulated.PollInterval);
        }
        if (Section<AsteriskQueueLogOptions>(services, configuration, AsteriskQueueLogOptions.Section) is { } queueLog)
        {
            services.AddSingleton<AsteriskQueueLogSource>();
            services.AddSingleton<IContactSource>(sp => sp.GetRequiredService<AsteriskQueueLogSource>());
            schedule.Add<PollAsteriskQueueLogJob>("poll-asterisk-queue-log", queueLog.PollInterval);
        }
        if (Section<TwilioOptions>(services, configuration, TwilioOptions.Section) is { } twilio)
        {
            var auth = Basic($"{twilio.AccountSid}:{twilio.AuthToken}");
            AddSourceClient<TwilioCallSource>(services, TwilioCallSource.Name, twilio, auth);
            services.AddTransient<IContactSource>(sp => sp.GetRequiredService<TwilioCallSource>());
            if (twilio.StatisticsEnabled)
            {
                AddSourceClient<TwilioQueueStatisticsSource>(services, TwilioCallSource.Name, twilio, auth, twilio.TaskRouterBaseUrl);
                services.AddTransient<IContactSource>(sp => sp.GetRequiredService<TwilioQueueStatisticsSource>());
            }
            schedule.Add<PollTwilioJob>("poll-twilio", twilio.PollInterval);
        }
        return services;
    }

    /// <summary>Binds and validates a source's section when it is present; null (source off) when absent.</summary>
    private static T? Section<T>(IServiceCollection services, IConfiguration configuration, string section) where T : class, IValidatedOptions
    {
        var config = configuration.GetSection(section);
        if (!config.Exists())
            return null;
        services.AddValidatedOptions<T>(section);
        return config.Get<T>();
    }

    internal static AuthenticationHeaderValue Basic(string userAndPassword) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userAndPassword)));

    /// <summary>
    /// A typed client with per-attempt timeout, retries with exponential backoff and jitter on 429/5xx/
    /// timeouts (honouring Retry-After), and a counter of every failed attempt.
    /// </summary>
    internal static IHttpClientBuilder AddSourceClient<TClient>(IServiceCollection services, string source, PolledSourceOptions options, AuthenticationHeaderValue? auth, Uri? baseUrl = null)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>(client =>
        {
            // A base URL that is invalid is reported by options validation at start; do not fail here first.
            if ((baseUrl ?? options.BaseUrl) is { IsAbsoluteUri: true } url)
                client.BaseAddress = new Uri(url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/");
            client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts rule
            client.DefaultRequestHeaders.Authorization = auth;
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        });
        builder.AddResilienceHandler(source, pipeline =>
        {
            pipeline.AddTimeout(options.RequestTimeout * (options.MaxRetries + 1) + TimeSpan.FromMinutes(2));
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                ShouldHandle = options.MaxRetries == 0 ? _ => PredicateResult.False() : new HttpRetryStrategyOptions().ShouldHandle,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = TimeSpan.FromMinutes(2),
                ShouldRetryAfterHeader = true,
            });
            pipeline.AddTimeout(options.RequestTimeout);
        });
        builder.AddHttpMessageHandler(() => new SourceErrorCountingHandler(source));
        return builder;
    }
}

/// <summary>The poll jobs to schedule, collected while the sources are registered.</summary>
internal sealed class PollSchedule
{
    public List<(Type Job, string Name, TimeSpan Interval)> Jobs { get; } = [];

    public void Add<TJob>(string name, TimeSpan interval) where TJob : IJob => Jobs.Add((typeof(TJob), name, interval));
}

/// <summary>
/// Puts the configured poll jobs into the clustered scheduler at start (replacing their triggers so a
/// changed <c>PollInterval</c> applies) and removes those of sources no longer configured.
/// </summary>
internal sealed class PollScheduleRegistration(ISchedulerFactory schedulers, PollSchedule schedule, TimeProvider time, ILogger<PollScheduleRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var wanted = schedule.Jobs.Select(j => new JobKey(j.Name, IngestionExtensions.JobGroup)).ToHashSet();
        foreach (var stale in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(IngestionExtensions.JobGroup), cancellationToken))
        {
            if (!wanted.Contains(stale))
            {
                await scheduler.DeleteJob(stale, cancellationToken);
                logger.LogInformation("Removed poll job {Job}: its source is no longer configured", stale.Name);
            }
        }
        foreach (var (type, name, interval) in schedule.Jobs)
        {
            var job = JobBuilder.Create().OfType(type).WithIdentity(name, IngestionExtensions.JobGroup).StoreDurably().Build();
            var trigger = TriggerBuilder.Create(time)
                .WithIdentity(name, IngestionExtensions.JobGroup)
                .ForJob(job)
                .StartAt(time.GetUtcNow())
                // After downtime, one catch-up poll rather than a burst: each poll reads everything since its cursor anyway.
                .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await scheduler.ScheduleJob(job, [trigger], ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

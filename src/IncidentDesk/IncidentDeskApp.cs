using IncidentDesk.Configuration;
using IncidentDesk.Dashboards;
using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using IncidentDesk.Paging;
using IncidentDesk.Reviews;
using IncidentDesk.Runbooks;
using IncidentDesk.Scheduling;
using IncidentDesk.Sla;
using IncidentDesk.Storage;
using IncidentDesk.Ticketing;
using IncidentDesk.Web;
using Prometheus;

namespace IncidentDesk;

/// <summary>Composes the service: one <c>Add&lt;Capability&gt;()</c> per folder, then its endpoints.</summary>
public static class IncidentDeskApp
{
    /// <summary>The builder with every capability registered. Tests pass a fake clock and extra configuration.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, TimeProvider? timeProvider = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["Urls"]))
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        configure?.Invoke(builder);

        var time = timeProvider ?? TimeProvider.System;
        builder.Services.AddSingleton(time);
        builder.Logging.AddIncidentDeskLogging();

        builder.Services.AddValidatedOptions<PathsOptions>("Paths");
        builder.Services.AddStorage(builder.Configuration);
        builder.Services.AddScheduling(builder.Configuration, time);
        builder.Services.AddWeb();
        builder.Services.AddIncidents();
        builder.Services.AddDashboards();
        builder.Services.AddIngestion(builder.Configuration);
        builder.Services.AddOnCall();
        builder.Services.AddPaging(builder.Configuration);
        builder.Services.AddRunbooks(builder.Configuration);
        builder.Services.AddReviews();
        builder.Services.AddSla();
        return builder;
    }

    /// <summary>Builds the app and maps every endpoint.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseWeb();
        var api = app.MapApi();
        app.MapIncidents(api);
        api.MapOnCall();
        app.MapPaging();
        app.MapRunbooks(api);
        app.MapReviews(api);
        BuildInfo.WithLabels(typeof(IncidentDeskApp).Assembly.GetName().Version?.ToString() ?? "0").Set(1);
        return app;
    }

    private static readonly Gauge BuildInfo = Metrics.CreateGauge(
        "incidentdesk_build_info", "Always 1; the label carries the running version.", "version");
}

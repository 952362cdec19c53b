using IncidentDesk.Configuration;
using Microsoft.AspNetCore.Authentication;
using Prometheus;

namespace IncidentDesk.Web;

public static class WebExtensions
{
    /// <summary>API-key authentication, role policies, problem+json errors, health and metrics.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuthOptions>("Auth");
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddProblemDetails();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<ScrapeRefresh>();
        services.AddScoped<AuditEndpointFilter>();
        return services;
    }

    public static WebApplication UseWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        ScrapeRefresh.Use(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    /// <summary>The authenticated, audited <c>/api/v1</c> group that capabilities add their endpoints to.</summary>
    public static RouteGroupBuilder MapApi(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/v1").RequireAuthorization().AddEndpointFilter<AuditEndpointFilter>();

    /// <summary>Restricts an endpoint to the named roles (403 for any other authenticated key).</summary>
    public static TBuilder AllowRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireRole(roles));
}

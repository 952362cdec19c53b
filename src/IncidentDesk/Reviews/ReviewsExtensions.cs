using IncidentDesk.Incidents;
using IncidentDesk.Web;
using Npgsql;
using Prometheus;

namespace IncidentDesk.Reviews;

public static class ReviewsExtensions
{
    private static readonly Gauge OverdueActionItems = Metrics.CreateGauge(
        "incidentdesk_review_action_items_overdue", "Open post-incident review action items past their due date.");

    /// <summary>Post-incident reviews: opened at resolution, generated from the timeline, edited through the API.</summary>
    public static IServiceCollection AddReviews(this IServiceCollection services)
    {
        services.AddSingleton<ReviewStore>();
        services.AddSingleton<ReviewService>();
        services.AddSingleton<IIncidentListener, ReviewListener>();
        return services;
    }

    public static void MapReviews(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapReviews();
        var store = app.Services.GetRequiredService<ReviewStore>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Services.GetRequiredService<ScrapeRefresh>().Add(
            async ct => OverdueActionItems.Set((await store.OverdueActionItemsAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct)).Count));
    }
}

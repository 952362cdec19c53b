using System.Security.Claims;
using IncidentDesk.Incidents;
using IncidentDesk.Web;

namespace IncidentDesk.Reviews;

internal static class ReviewEndpoints
{
    public sealed record EditRequest(string? Summary, string[]? Whys, string? RootCause, string? LessonsLearned, string? KnowledgeBase, string? By);

    public sealed record ActionItemRequest(string? Title, string? Owner, DateOnly? Due);

    public sealed record ByRequest(string? By);

    public static void MapReviews(this RouteGroupBuilder api)
    {
        string[] everyone = [Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin];

        api.MapGet("/incidents/{id:long}/review", async (long id, ReviewService reviews, CancellationToken ct) =>
            await reviews.MarkdownAsync(id, ct) is { } markdown
                ? Results.Text(markdown, "text/markdown; charset=utf-8")
                : Problems.NotFound($"incident {id} does not exist")).AllowRoles(everyone);

        api.MapMethods("/incidents/{id:long}/review", ["PATCH"], async (long id, EditRequest request, ClaimsPrincipal user, IncidentService incidents, ReviewStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (await incidents.GetAsync(id, ct) is null)
                return Problems.NotFound($"incident {id} does not exist");
            if (request.Whys is { Length: > 5 })
                return Problems.BadRequest("whys holds at most five answers (the 5 whys)");
            var edit = new ReviewEdit(request.Summary, request.Whys, request.RootCause, request.LessonsLearned, request.KnowledgeBase);
            if (!await store.EditAsync(id, edit, By(request.By, user), time.GetUtcNow(), ct))
                return Problems.Conflict($"the review of incident {id} opens when the incident is resolved");
            return Results.Ok(await store.GetAsync(id, ct));
        }).AllowRoles(everyone);

        api.MapPost("/incidents/{id:long}/review/action-items", async (long id, ActionItemRequest request, IncidentService incidents, ReviewStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Title) || string.IsNullOrWhiteSpace(request.Owner) || request.Due is null)
                return Problems.BadRequest("title, owner and due (yyyy-MM-dd) are required");
            if (await incidents.GetAsync(id, ct) is null)
                return Problems.NotFound($"incident {id} does not exist");
            var item = await store.AddActionItemAsync(id, request.Title, request.Owner, request.Due.Value, time.GetUtcNow(), ct);
            return item is null
                ? Problems.Conflict($"the review of incident {id} opens when the incident is resolved")
                : Results.Created($"/api/v1/incidents/{id}/review/action-items/{item.Id}", item);
        }).AllowRoles(everyone);

        api.MapPost("/incidents/{id:long}/review/action-items/{item:long}/done", async (long id, long item, ByRequest? request, ClaimsPrincipal user, ReviewStore store, TimeProvider time, CancellationToken ct) =>
            await store.CompleteActionItemAsync(id, item, By(request?.By, user), time.GetUtcNow(), ct) is { } done
                ? Results.Ok(done)
                : Problems.NotFound($"incident {id} has no action item {item}")).AllowRoles(everyone);

        api.MapGet("/action-items/overdue", async (ReviewStore store, TimeProvider time, CancellationToken ct) =>
            Results.Ok(await store.OverdueActionItemsAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct))).AllowRoles(everyone);
    }

    private static string By(string? by, ClaimsPrincipal user) => string.IsNullOrWhiteSpace(by) ? user.Identity?.Name ?? "api" : by;
}

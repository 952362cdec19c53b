using System.Security.Claims;
using IncidentDesk.Web;

namespace IncidentDesk.Incidents;

internal static class IncidentEndpoints
{
    public sealed record DeclareRequest(string? Title, string? Severity, string? Summary, string? DedupKey, Dictionary<string, string>? Labels);

    public sealed record ActorRequest(string? By, string? Message);

    public static void MapIncidents(this RouteGroupBuilder api)
    {
        api.MapGet("/incidents", async (string? status, int? limit, IncidentService incidents, CancellationToken ct) =>
        {
            if (status is not null && status != "open" && !IncidentStatus.IsKnown(status))
                return Problems.BadRequest($"status must be 'open' or one of {string.Join(", ", IncidentStatus.Open.Append(IncidentStatus.Resolved).Append(IncidentStatus.Reviewed))}");
            return Results.Ok(await incidents.ListAsync(status, Math.Clamp(limit ?? 100, 1, 1000), ct));
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);

        api.MapPost("/incidents", async (DeclareRequest request, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Title))
                return Problems.BadRequest("title is required");
            var severity = request.Severity ?? "high";
            if (!Severities.All.Contains(severity))
                return Problems.BadRequest($"severity must be one of {string.Join(", ", Severities.All)}");
            var actor = user.Identity?.Name ?? "api";
            // A declared incident is its own problem unless the caller names a key to deduplicate on.
            var key = string.IsNullOrWhiteSpace(request.DedupKey) ? $"manual:{Guid.NewGuid():N}" : request.DedupKey;
            var result = await incidents.OpenAsync(new IncidentSignal(key, "manual", request.Title, severity, request.Summary, request.Labels, actor), ct);
            var incident = await incidents.GetAsync(result.IncidentId, ct);
            return result.Created
                ? Results.Created($"/api/v1/incidents/{result.IncidentId}", incident)
                : Results.Ok(incident);
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);

        api.MapGet("/incidents/{id:long}", async (long id, IncidentService incidents, Runbooks.RunbookService runbooks, IEnumerable<IIncidentDetails> details, CancellationToken ct) =>
        {
            var incident = await incidents.GetAsync(id, ct);
            if (incident is null)
                return Problems.NotFound($"incident {id} does not exist");
            var (runbook, steps) = await runbooks.StepsAsync(id, ct);
            var body = new Dictionary<string, object?> { ["incident"] = incident, ["runbook"] = runbook, ["steps"] = steps, ["timeline"] = await incidents.TimelineAsync(id, ct) };
            foreach (var detail in details)
                body[detail.Name] = await detail.GetAsync(id, ct);
            return Results.Ok(body);
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);

        api.MapPost("/incidents/{id:long}/ack", async (long id, ActorRequest? request, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        {
            var by = string.IsNullOrWhiteSpace(request?.By) ? user.Identity?.Name ?? "api" : request.By;
            return Outcome(id, await incidents.AcknowledgeAsync(id, by, "api", ct), "acknowledged");
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);

        api.MapPost("/incidents/{id:long}/resolve", async (long id, ActorRequest? request, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        {
            var by = string.IsNullOrWhiteSpace(request?.By) ? user.Identity?.Name ?? "api" : request.By;
            return Outcome(id, await incidents.ResolveAsync(id, by, request?.Message ?? $"resolved by {by}", ct), "resolved");
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);
    }

    /// <summary>Maps a lifecycle outcome to HTTP: repeating a done move is fine (200), an impossible one is 409.</summary>
    public static IResult Outcome(long id, TransitionResult result, string to) => result switch
    {
        TransitionResult.Done => Results.Ok(new { id, status = to }),
        TransitionResult.AlreadyThere => Results.Ok(new { id, status = to, unchanged = true }),
        TransitionResult.NotFound => Problems.NotFound($"incident {id} does not exist"),
        _ => Problems.Conflict($"incident {id} cannot move to '{to}' from its current status"),
    };
}

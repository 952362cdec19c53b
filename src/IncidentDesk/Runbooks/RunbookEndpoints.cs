using System.Security.Claims;
using IncidentDesk.Web;

namespace IncidentDesk.Runbooks;

internal static class RunbookEndpoints
{
    public sealed record ByRequest(string? By);

    public sealed record EtaRequest(DateTimeOffset? Eta, string? By);

    public static void MapRunbooks(this RouteGroupBuilder api)
    {
        api.MapPost("/incidents/{id:long}/steps/{step}/complete", async (long id, string step, ByRequest? request, ClaimsPrincipal user, RunbookService runbooks, CancellationToken ct) =>
        {
            var by = By(request?.By, user);
            return Outcome(id, step, await runbooks.CompleteAsync(id, step, by, ct));
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);

        api.MapPost("/incidents/{id:long}/steps/{step}/reverse", async (long id, string step, ByRequest? request, ClaimsPrincipal user, RunbookService runbooks, CancellationToken ct) =>
            Outcome(id, step, await runbooks.ReverseAsync(id, step, By(request?.By, user), ct)))
            .AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Admin);

        api.MapPost("/incidents/{id:long}/eta", async (long id, EtaRequest request, ClaimsPrincipal user, RunbookService runbooks, CancellationToken ct) =>
        {
            if (request.Eta is not { } eta)
                return Problems.BadRequest("eta is required (an ISO 8601 time with offset)");
            return Outcome(id, "eta", await runbooks.SetEtaAsync(id, eta, By(request.By, user), ct));
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Admin);
    }

    private static string By(string? by, ClaimsPrincipal user) => string.IsNullOrWhiteSpace(by) ? user.Identity?.Name ?? "api" : by;

    /// <summary>Repeating a done request is fine (200, unchanged); a request the lifecycle refuses is 409; a vendor failure is 502.</summary>
    private static IResult Outcome(long id, string step, (StepRequestResult Result, string Detail) outcome) => outcome.Result switch
    {
        StepRequestResult.Done => Results.Ok(new { id, step, result = outcome.Detail }),
        StepRequestResult.AlreadyDone => Results.Ok(new { id, step, result = outcome.Detail, unchanged = true }),
        StepRequestResult.NotFound => Problems.NotFound(outcome.Detail),
        StepRequestResult.NotAllowed => Problems.Conflict(outcome.Detail),
        _ => Results.Problem(outcome.Detail, statusCode: 502, title: "Bad gateway"),
    };
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IncidentDesk.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentDesk.IntegrationTests.Runbooks.Fakes;

/// <summary>
/// Jira Cloud, Zendesk Support and Unleash, faked over HTTP on one loopback port with the payload shapes of
/// their documentation (shared/INTEGRATIONS.md):
/// <list type="bullet">
/// <item>Jira: <c>POST /rest/api/3/issue</c> {fields: {project.key, issuetype.name, priority.name, summary, labels, description}} → 201 {id, key, self};
/// <c>POST /rest/api/3/search/jql</c> {jql: 'labels = "x"'} → {issues: [{id, key, fields.status.name}], isLast};
/// <c>GET /rest/api/3/issue/{key}</c> → {key, fields.status.name}.</item>
/// <item>Zendesk: <c>GET /api/v2/tickets/{id}</c> → {ticket: {id, subject, status, requester_id}}; <c>GET /api/v2/users/{id}</c> →
/// {user: {id, name, email, locale}}; <c>PUT /api/v2/tickets/{id}</c> {ticket: {comment: {body, public}}} → 200;
/// <c>GET /api/v2/tickets/{id}/comments</c> → {comments: [{id, body, public}]}.</item>
/// <item>Unleash: <c>GET /api/admin/projects/{p}/features/{f}</c> → {name, project, environments: [{name, enabled}]};
/// <c>POST /api/admin/projects/{p}/features/{f}/environments/{env}/on|off</c> → 200.</item>
/// </list>
/// Faults: <see cref="Fail"/> queues answers per vendor (500, 429 + Retry-After) that come before the normal ones.
/// </summary>
public sealed class VendorFakes : IAsyncDisposable
{
    private static readonly string[] NotFound = ["Issue does not exist"];
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, int? RetryAfter)>> faults = new();
    private int nextIssue;
    private int nextComment;

    public ConcurrentDictionary<string, JsonObject> JiraIssues { get; } = new();

    public ConcurrentDictionary<string, string> JiraStatus { get; } = new();

    public ConcurrentDictionary<string, (string Name, string Email, string Locale)> ZendeskUsers { get; } = new();

    /// <summary>Ticket id → requester id.</summary>
    public ConcurrentDictionary<string, string> ZendeskTickets { get; } = new();

    public ConcurrentDictionary<string, ConcurrentQueue<string>> ZendeskComments { get; } = new();

    /// <summary>"project/feature/environment" → enabled.</summary>
    public ConcurrentDictionary<string, bool> UnleashFlags { get; } = new();

    /// <summary>Every request as "METHOD path", with its Authorization header, in order.</summary>
    public ConcurrentQueue<(string Request, string? Authorization)> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    private VendorFakes(WebApplication app) => this.app = app;

    /// <summary>Queues <paramref name="count"/> failing answers for <paramref name="vendor"/> (jira, zendesk, unleash).</summary>
    public void Fail(string vendor, int status, int count = 1, int? retryAfterSeconds = null)
    {
        var queue = faults.GetOrAdd(vendor, _ => new());
        for (var i = 0; i < count; i++)
            queue.Enqueue((status, retryAfterSeconds));
    }

    public void AddCustomer(string ticket, string userId, string name, string email, string locale)
    {
        ZendeskUsers[userId] = (name, email, locale);
        ZendeskTickets[ticket] = userId;
    }

    public static async Task<VendorFakes> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fakes = new VendorFakes(app);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            fakes.Requests.Enqueue(($"{context.Request.Method} {path}", context.Request.Headers.Authorization.ToString()));
            var vendor = path.StartsWith("/rest/api/3", StringComparison.Ordinal) ? "jira" : path.StartsWith("/api/v2", StringComparison.Ordinal) ? "zendesk" : "unleash";
            // The service's ingestion pollers read the same vendors (same config sections); injected faults are
            // meant for the runbook's calls, so the pollers' listing requests never consume them.
            var polling = HttpMethods.IsGet(context.Request.Method)
                && (path == "/rest/api/3/search/jql" || path.StartsWith("/api/v2/incremental", StringComparison.Ordinal) || path.StartsWith("/api/v2/satisfaction_ratings", StringComparison.Ordinal));
            if (!polling && fakes.faults.TryGetValue(vendor, out var queue) && queue.TryDequeue(out var fault))
            {
                context.Response.StatusCode = fault.Status;
                if (fault.RetryAfter is { } seconds)
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { errorMessages = new[] { $"injected {fault.Status}" } });
                return;
            }
            await next();
        });
        // Endpoints are mapped before the start: the routing table is fixed once the server runs.
        fakes.Map();
        await app.StartAsync();
        fakes.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fakes;
    }

    private void Map()
    {
        app.MapPost("/rest/api/3/issue", (JsonObject body) =>
        {
            var key = $"TECH-{Interlocked.Increment(ref nextIssue)}";
            JiraIssues[key] = body;
            JiraStatus[key] = "To Do";
            return Results.Json(new { id = (10000 + nextIssue).ToString(System.Globalization.CultureInfo.InvariantCulture), key, self = $"{BaseUrl}/rest/api/3/issue/{key}" }, statusCode: 201);
        });
        app.MapPost("/rest/api/3/search/jql", (JsonObject body) =>
        {
            var jql = body["jql"]!.GetValue<string>();
            var label = jql.Split('"')[1];
            var issues = JiraIssues.Where(i => i.Value["fields"]!["labels"]!.AsArray().Any(l => l!.GetValue<string>() == label))
                .Select(i => new { id = i.Key, key = i.Key, fields = new { status = new { name = JiraStatus[i.Key] } } }).ToList();
            return Results.Json(new { issues, isLast = true });
        });
        app.MapGet("/rest/api/3/issue/{key}", (string key) => JiraIssues.ContainsKey(key)
            ? Results.Json(new { key, fields = new { status = new { name = JiraStatus[key] } } })
            : Results.Json(new { errorMessages = NotFound }, statusCode: 404));

        app.MapGet("/api/v2/tickets/{id}", (string id) => ZendeskTickets.TryGetValue(id, out var requester)
            ? Results.Json(new { ticket = new { id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), subject = "Ticket " + id, status = "open", requester_id = long.Parse(requester, System.Globalization.CultureInfo.InvariantCulture) } })
            : Results.Json(new { error = "RecordNotFound" }, statusCode: 404));
        app.MapGet("/api/v2/users/{id}", (string id) => ZendeskUsers.TryGetValue(id, out var user)
            ? Results.Json(new { user = new { id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), user.Name, user.Email, user.Locale } }, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower })
            : Results.Json(new { error = "RecordNotFound" }, statusCode: 404));
        app.MapPut("/api/v2/tickets/{id}", (string id, JsonObject body) =>
        {
            var text = body["ticket"]!["comment"]!["body"]!.GetValue<string>();
            ZendeskComments.GetOrAdd(id, _ => new()).Enqueue(text);
            Interlocked.Increment(ref nextComment);
            return Results.Json(new { ticket = new { id } });
        });
        app.MapGet("/api/v2/tickets/{id}/comments", (string id) => Results.Json(new
        {
            comments = (ZendeskComments.TryGetValue(id, out var list) ? list.ToArray() : []).Select((body, i) => new { id = i + 1, body, @public = true }),
        }));

        app.MapGet("/api/admin/projects/{project}/features/{feature}", (string project, string feature) =>
        {
            var environments = UnleashFlags.Where(f => f.Key.StartsWith($"{project}/{feature}/", StringComparison.Ordinal))
                .Select(f => new { name = f.Key.Split('/')[2], enabled = f.Value }).ToList();
            return environments.Count == 0
                ? Results.Json(new { message = "feature not found" }, statusCode: 404)
                : Results.Json(new { name = feature, project, environments });
        });
        app.MapPost("/api/admin/projects/{project}/features/{feature}/environments/{env}/{state}", (string project, string feature, string env, string state) =>
        {
            var key = $"{project}/{feature}/{env}";
            if (!UnleashFlags.ContainsKey(key) || state is not ("on" or "off"))
                return Results.Json(new { message = "not found" }, statusCode: 404);
            UnleashFlags[key] = state == "on";
            return Results.Ok();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

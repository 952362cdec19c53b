using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>
/// An HTTP fake of the part of Grafana's API that <c>dashboards push</c> uses, shaped like Grafana's HTTP API docs
/// (docs/sources/developers/http_api/folder.md and dashboard.md): folders list/create (409 when the uid exists),
/// dashboard get by uid (404 when missing), save with overwrite (412 name-exists / version-mismatch), and 401 for a
/// wrong bearer token. Faults can be queued per path.
/// </summary>
public sealed class FakeGrafana : IAsyncDisposable
{
    public const string Token = "glsa_fake_service_account_token";

    private readonly WebApplication app;

    private FakeGrafana(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Folders by uid → title.</summary>
    public ConcurrentDictionary<string, string> Folders { get; } = new();

    /// <summary>Saved dashboards by uid, with Grafana's <c>id</c> and <c>version</c> set.</summary>
    public ConcurrentDictionary<string, (JsonObject Dashboard, string FolderUid)> Dashboards { get; } = new();

    /// <summary>Every request as "METHOD /path", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Bodies of <c>POST /api/dashboards/db</c>, in order.</summary>
    public ConcurrentQueue<JsonObject> Saves { get; } = new();

    /// <summary>Responses to give instead of the normal one, by "METHOD /path": (status, JSON body, Retry-After seconds).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body, int? RetryAfter)>> Faults { get; } = new();

    public void Fail(string request, int status, string body, int? retryAfter = null) =>
        Faults.GetOrAdd(request, _ => new()).Enqueue((status, body, retryAfter));

    public static async Task<FakeGrafana> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeGrafana? fake = null;
        app.Use(async (context, next) =>
        {
            var key = $"{context.Request.Method} {context.Request.Path}";
            fake!.Requests.Enqueue(key);
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + Token)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { message = "invalid API key" });
                return;
            }
            if (fake.Faults.TryGetValue(key, out var faults) && faults.TryDequeue(out var fault))
            {
                context.Response.StatusCode = fault.Status;
                if (fault.RetryAfter is { } seconds)
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(fault.Body);
                return;
            }
            await next(context);
        });
        app.MapGet("/api/folders", () => Results.Ok(fake!.Folders.Select((f, i) => new { id = i + 1, uid = f.Key, title = f.Value })));
        app.MapPost("/api/folders", (JsonObject body) =>
        {
            var uid = body["uid"]!.GetValue<string>();
            var title = body["title"]!.GetValue<string>();
            if (!fake!.Folders.TryAdd(uid, title))
                return Results.Json(new { message = "a folder with the same uid already exists" }, statusCode: 409);
            return Results.Ok(new { id = fake.Folders.Count, uid, title, url = $"/dashboards/f/{uid}/" });
        });
        app.MapGet("/api/dashboards/uid/{uid}", (string uid) =>
            fake!.Dashboards.TryGetValue(uid, out var saved)
                ? Results.Ok(new JsonObject
                {
                    ["dashboard"] = saved.Dashboard.DeepClone(),
                    ["meta"] = new JsonObject { ["folderUid"] = saved.FolderUid, ["url"] = $"/d/{uid}/x", ["version"] = saved.Dashboard["version"]!.DeepClone() },
                })
                : Results.Json(new { message = "Dashboard not found" }, statusCode: 404));
        app.MapPost("/api/dashboards/db", (JsonObject body) =>
        {
            fake!.Saves.Enqueue(body);
            var dashboard = body["dashboard"]!.AsObject();
            var uid = dashboard["uid"]!.GetValue<string>();
            var title = dashboard["title"]!.GetValue<string>();
            var folderUid = body["folderUid"]?.GetValue<string>() ?? "";
            var overwrite = body["overwrite"]?.GetValue<bool>() ?? false;
            if (folderUid.Length > 0 && !fake.Folders.ContainsKey(folderUid))
                return Results.Json(new { message = "folder not found", status = "not-found" }, statusCode: 400);
            if (fake.Dashboards.Any(d => d.Key != uid && d.Value.FolderUid == folderUid && d.Value.Dashboard["title"]!.GetValue<string>() == title))
                return Results.Json(new { message = "A dashboard with the same name in the folder already exists", status = "name-exists" }, statusCode: 412);
            var version = 1;
            if (fake.Dashboards.TryGetValue(uid, out var existing))
            {
                var current = existing.Dashboard["version"]!.GetValue<int>();
                if (!overwrite && dashboard["version"]?.GetValue<int>() != current)
                    return Results.Json(new { message = "The dashboard has been changed by someone else", status = "version-mismatch" }, statusCode: 412);
                version = current + 1;
            }
            var stored = (JsonObject)dashboard.DeepClone();
            stored["id"] = fake.Dashboards.Count + 1;
            stored["version"] = version;
            fake.Dashboards[uid] = (stored, folderUid);
            return Results.Ok(new { id = stored["id"]!.GetValue<int>(), uid, url = $"/d/{uid}/{title.ToLowerInvariant().Replace(' ', '-')}", status = "success", version, slug = title.ToLowerInvariant() });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new FakeGrafana(app, new Uri(address));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

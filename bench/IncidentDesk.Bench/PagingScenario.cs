using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using IncidentDesk.Storage;
using IncidentDesk.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IncidentDesk.Bench;

/// <summary>
/// Page latency (Alertmanager alert received → chat.postMessage at a Slack fake) over 1000 alerts, and deadline
/// precision (how late the first repeat arrives after its due time) over 100 incidents and a burst of 200, on the real service.
/// </summary>
public sealed class PagingScenario : IScenario
{
    public string Name => "paging";

    private readonly ConcurrentDictionary<string, long> arrivals = new();

    public async Task<ScenarioResult> RunAsync(string serverConnectionString)
    {
        await using var database = await BenchDatabase.CreateAsync(serverConnectionString);
        var cs = database.ConnectionString;
        await using var slack = await StartFakeSlackAsync();
        var slackUrl = slack.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/api/";
        var builder = Service(cs, slackUrl, repeatInterval: "01:00:00");
        await using var app = IncidentDeskApp.Build(builder);
        await app.Services.GetRequiredService<Migrator>().ApplyAsync(CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench-key");

        for (var i = 0; i < 50; i++)
            await PageOnceAsync(client, $"warmup-{i}");
        const int n = 1000;
        var latencies = new List<TimeSpan>(n);
        for (var i = 0; i < n; i++)
            latencies.Add(await PageOnceAsync(client, $"latency-{i}"));
        var (p50, p99) = Scenarios.Percentiles(latencies);
        await app.StopAsync();

        var (lateP50, lateP99, lateMax, count) = await DeadlinePrecisionAsync(cs, slackUrl, 100, TimeSpan.FromMilliseconds(100));
        var (burstP50, burstP99, burstMax, burstCount) = await DeadlinePrecisionAsync(cs, slackUrl, 200, TimeSpan.FromMilliseconds(25));
        return new ScenarioResult(Name,
            $"Latency: {n} sequential Alertmanager webhooks (after 50 warm-up), each timed from the POST to the fake Slack receiving chat.postMessage "
            + "for that incident (in-process service, PostgreSQL on loopback, NOTIFY wakes the sender). Deadline precision: "
            + $"{count} incidents opened 100 ms apart with Paging:RepeatInterval 2 s; lateness = arrival of the first repeat at the fake Slack − (opened_at + 2 s). "
            + $"Burst: {burstCount} incidents opened 25 ms apart (40 per second, all due within 7 s), same measure.",
            [
                ("alert → chat.postMessage p50 / p99", F(p50) + " / " + F(p99) + " ms"),
                ("repeat lateness after its deadline p50 / p99 / max", F(lateP50) + " / " + F(lateP99) + " / " + F(lateMax) + " ms"),
                ("burst: repeat lateness p50 / p99 / max", F(burstP50) + " / " + F(burstP99) + " / " + F(burstMax) + " ms"),
            ],
            $"page p99 {F(p99)} ms (target < 250 ms); escalation lateness p99 {F(lateP99)} ms, {F(burstP99)} ms in a 40/s burst (target < 1000 ms)");
    }

    private async Task<TimeSpan> PageOnceAsync(HttpClient client, string name)
    {
        var start = Stopwatch.GetTimestamp();
        var response = await client.PostAsJsonAsync("/api/v1/alerts", new
        {
            version = "4",
            status = "firing",
            alerts = new[] { new { status = "firing", labels = new Dictionary<string, string> { ["alertname"] = name }, fingerprint = name } },
        });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents")[0].GetInt64();
        var key = $"i{id}.";
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (arrivals.TryGetValue(key + "1", out var at))
                return Stopwatch.GetElapsedTime(start, at);
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"no page for incident {id}");
            await Task.Yield();
        }
    }

    private async Task<(double P50, double P99, double Max, int Count)> DeadlinePrecisionAsync(string cs, string slackUrl, int n, TimeSpan spacing)
    {
        // A fresh service so the first part's incidents do not repeat in the middle of this one.
        var builder = Service(cs, slackUrl, repeatInterval: "00:00:02");
        await using var app = IncidentDeskApp.Build(builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench-key");
        await using var db = NpgsqlDataSource.Create(cs);
        await using (var connection = await db.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE incidents SET status = 'resolved' WHERE status = 'triggered'");

        var ids = new List<long>();
        var tick = new PeriodicTimer(spacing);
        for (var i = 0; i < n; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/alerts", new
            {
                version = "4",
                status = "firing",
                alerts = new[] { new { status = "firing", labels = new Dictionary<string, string> { ["alertname"] = $"deadline-{n}-{i}" }, fingerprint = $"deadline-{n}-{i}" } },
            });
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents")[0].GetInt64());
            await tick.WaitForNextTickAsync();
        }
        var watch = Stopwatch.StartNew();
        while (ids.Any(id => !arrivals.ContainsKey($"i{id}.2")) && watch.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(50);
        await app.StopAsync();

        await using var conn = await db.OpenConnectionAsync();
        var opened = (await conn.QueryAsync<(long Id, DateTime OpenedAt)>("SELECT id, opened_at FROM incidents WHERE id = ANY(@ids)", new { ids = ids.ToArray() }))
            .ToDictionary(r => r.Id, r => new DateTimeOffset(DateTime.SpecifyKind(r.OpenedAt, DateTimeKind.Utc)));
        var lateness = ids.Where(id => arrivalsWall.ContainsKey($"i{id}.2"))
            .Select(id => arrivalsWall[$"i{id}.2"] - (opened[id] + TimeSpan.FromSeconds(2)))
            .ToList();
        var (p50, p99) = Scenarios.Percentiles(lateness);
        return (p50, p99, lateness.Max().TotalMilliseconds, lateness.Count);
    }

    private readonly ConcurrentDictionary<string, DateTimeOffset> arrivalsWall = new();

    /// <summary>The real service on the bench database, paging into the Slack fake; nobody acknowledges within the hour.</summary>
    private static WebApplicationBuilder Service(string cs, string slackUrl, string repeatInterval) =>
        IncidentDeskApp.CreateBuilder([], configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IncidentDesk"] = cs,
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Auth:ApiKeys:0:Name"] = "bench",
            ["Auth:ApiKeys:0:KeyHash"] = ApiKey.Hash("bench-key"),
            ["Auth:ApiKeys:0:Role"] = Roles.Admin,
            ["Paths:Alerts"] = Path.Combine(RepoRoot(), "alerts"),
            ["Slack:ApiBaseUrl"] = slackUrl,
            ["Slack:BotToken"] = "xoxb-bench",
            ["Slack:Channel"] = "C0BENCH",
            ["Paging:AckTimeout"] = "01:00:00",
            ["Paging:RepeatInterval"] = repeatInterval,
        }));

    private async Task<WebApplication> StartFakeSlackAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Urls"] = "http://127.0.0.1:0";
        builder.Logging.ClearProviders();
        var app = builder.Build();
        long seq = 0;
        app.MapPost("/api/chat.postMessage", async (HttpRequest request) =>
        {
            var now = Stopwatch.GetTimestamp();
            var wall = DateTimeOffset.UtcNow;
            var body = await JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
            var key = body!["metadata"]!["event_payload"]!["idempotency_key"]!.GetValue<string>();
            // i{id}.{person}.slack.{attempt} → "i{id}.{attempt}"
            var parts = key.Split('.');
            var shortKey = $"{parts[0]}.{parts[^1]}";
            arrivals.TryAdd(shortKey, now);
            arrivalsWall.TryAdd(shortKey, wall);
            return Results.Json(new { ok = true, channel = "C0BENCH", ts = string.Create(CultureInfo.InvariantCulture, $"1.{Interlocked.Increment(ref seq):000000}") });
        });
        await app.StartAsync();
        return app;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IncidentDesk.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    private static string F(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);
}

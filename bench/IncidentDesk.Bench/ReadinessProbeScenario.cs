using System.Globalization;
using IncidentDesk.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IncidentDesk.Bench;

/// <summary>GET /readyz (database round trip + scheduler state) against GET /healthz (no I/O) on the same server.</summary>
public sealed class ReadinessProbeScenario : IScenario
{
    public string Name => "readiness probe";

    public async Task<ScenarioResult> RunAsync(string serverConnectionString)
    {
        await using var database = await BenchDatabase.CreateAsync(serverConnectionString);
        var cs = database.ConnectionString;
        var builder = IncidentDeskApp.CreateBuilder([], configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IncidentDesk"] = cs,
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await using var app = IncidentDeskApp.Build(builder);
        await app.Services.GetRequiredService<Migrator>().ApplyAsync(CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        const int n = 2000;
        var health = await Measure(client, "/healthz", n);
        var ready = await Measure(client, "/readyz", n);
        await app.StopAsync();
        return new ScenarioResult(Name,
            $"{n} sequential requests each, after 200 warm-up requests, on one HTTP/1.1 connection over loopback.",
            [
                ("/healthz p50 / p99 (baseline)", F(health.P50) + " / " + F(health.P99) + " ms"),
                ("/readyz p50 / p99", F(ready.P50) + " / " + F(ready.P99) + " ms"),
            ],
            $"/readyz costs {ready.P50 / health.P50:0.0}× /healthz at p50 (the database round trip)");
    }

    private static async Task<(double P50, double P99)> Measure(HttpClient client, string path, int n)
    {
        for (var i = 0; i < 200; i++)
            (await client.GetAsync(path)).EnsureSuccessStatusCode();
        var samples = new List<TimeSpan>(n);
        for (var i = 0; i < n; i++)
            samples.Add(await Scenarios.TimeAsync(async () => (await client.GetAsync(path)).EnsureSuccessStatusCode()));
        return Scenarios.Percentiles(samples);
    }

    private static string F(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture);
}

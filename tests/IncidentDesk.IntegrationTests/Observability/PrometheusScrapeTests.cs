using System.Text.Json.Nodes;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>A real Prometheus (Debian package) scrapes a running IncidentDesk and loads the repository's alert rules.</summary>
public sealed class PrometheusScrapeTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestService service = null!;
    private ServerProcess prometheus = null!;

    public async Task InitializeAsync()
    {
        // The simulated desk feeds contacts and the SLA job evaluates every 2 s, so this class's own service
        // has SLA series to export (metrics are process-wide; nothing may come from another test class).
        service = await TestService.StartAsync(database, new Dictionary<string, string?>
        {
            ["Ticketing:Simulated:Seed"] = "7",
            ["Ticketing:Simulated:PollInterval"] = "00:00:01",
            ["Ticketing:Simulated:ContactsPerDay"] = "400",
            ["Ticketing:Simulated:History"] = "2.00:00:00",
            ["Sla:EvaluationInterval"] = "00:00:02",
        });
        var target = $"{service.BaseAddress.Host}:{service.BaseAddress.Port}";
        var rules = Path.Combine(RepoPaths.Alerts, "prometheus", "*.yml");
        prometheus = await ServerProcess.StartAsync("prometheus", "prometheus.yml",
            (_, _) => $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "{rules}"
                scrape_configs:
                  - job_name: incidentdesk
                    static_configs:
                      - targets: ["{target}"]
                """,
            (folder, port) => ["--config.file=" + Path.Combine(folder, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                               $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            "-/ready");
    }

    public async Task DisposeAsync()
    {
        await prometheus.DisposeAsync();
        await service.DisposeAsync();
    }

    private async Task<JsonArray> QueryAsync(string promql)
    {
        using var http = prometheus.Client();
        var body = JsonNode.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)))!;
        body["status"]!.GetValue<string>().Should().Be("success");
        return body["data"]!["result"]!.AsArray();
    }

    private Task<JsonArray> EventuallyQueryAsync(string promql) =>
        Eventually.Until(() => QueryAsync(promql), r => r.Count > 0, TimeSpan.FromSeconds(30), $"Prometheus answering {promql}\n{prometheus.Output}");

    [PostgresFact]
    public async Task Prometheus_scrapes_the_service_and_build_info_can_be_queried()
    {
        var result = await EventuallyQueryAsync("incidentdesk_build_info");
        var labels = result[0]!["metric"]!;
        labels["job"]!.GetValue<string>().Should().Be("incidentdesk");
        labels["instance"]!.GetValue<string>().Should().Be($"{service.BaseAddress.Host}:{service.BaseAddress.Port}");
        labels["version"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        result[0]!["value"]![1]!.GetValue<string>().Should().Be("1");

        (await EventuallyQueryAsync("up{job=\"incidentdesk\"} == 1")).Should().ContainSingle();
    }

    [PostgresFact]
    public async Task Prometheus_loads_every_alert_rule_of_the_repository_and_evaluates_them_without_errors()
    {
        var expected = File.ReadAllLines(Path.Combine(RepoPaths.Alerts, "prometheus", "incidentdesk.yml"))
            .Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();
        expected.Should().NotBeEmpty();
        using var http = prometheus.Client();
        // Wait until every rule has been evaluated once (lastEvaluation set), then none may report an error.
        var rules = await Eventually.Until(async () =>
        {
            var body = JsonNode.Parse(await http.GetStringAsync("api/v1/rules?type=alert"))!;
            return body["data"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!).ToList();
        }, r => r.Count == expected.Count && r.All(x => !x["lastEvaluation"]!.GetValue<string>().StartsWith("0001", StringComparison.Ordinal)),
        TimeSpan.FromSeconds(30), "all rules evaluated");

        rules.Select(r => r["name"]!.GetValue<string>()).Should().BeEquivalentTo(expected);
        rules.Should().AllSatisfy(r => r["health"]!.GetValue<string>().Should().Be("ok", r["lastError"]?.GetValue<string>()));
    }

    [PostgresFact]
    public async Task The_sla_metrics_can_be_queried_from_prometheus()
    {
        // Needs the SLA capability (issue 5): the service must export compliance, target and breach per rule and channel.
        foreach (var metric in new[] { "incidentdesk_sla_compliance_ratio", "incidentdesk_sla_target_ratio", "incidentdesk_sla_breached" })
        {
            var result = await EventuallyQueryAsync(metric);
            result.Should().AllSatisfy(r => r!["metric"]!["rule"].Should().NotBeNull(metric + " has a rule label"));
            result.Should().AllSatisfy(r => r!["metric"]!["channel"].Should().NotBeNull(metric + " has a channel label"));
        }
    }
}

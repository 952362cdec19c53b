using System.Text.Json.Nodes;
using IncidentDesk.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>
/// No board panel and no alert rule points at a metric the service does not export: every metric name in every
/// PromQL expression is compared with a running service's <c>/metrics</c>. prometheus-net exports a labelled
/// metric only once it has a child, so each capability must create its label values at start (configured sources,
/// channels, rules) or the series shows up here as missing; a job's series appear after its first run, which is
/// why the comparison is polled for a while before it fails.
/// </summary>
public sealed class MetricsCoverageTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(15);

    /// <summary>Series Prometheus makes itself for every target; they are never in an exposition.</summary>
    private static readonly HashSet<string> SyntheticSeries = ["up", "scrape_duration_seconds", "scrape_samples_scraped"];

    private TestService service = null!;

    private readonly string queueLog = Path.GetTempFileName();

    // One source configured (the file-based one needs no fake server), so the per-source series have a label value.
    public async Task InitializeAsync() => service = await TestService.StartAsync(database, new Dictionary<string, string?>
    {
        ["Telephony:AsteriskQueueLog:Path"] = queueLog,
        // Contacts from the simulated desk, evaluated every 2 s, give this service its own SLA series.
        ["Ticketing:Simulated:Seed"] = "11",
        ["Ticketing:Simulated:PollInterval"] = "00:00:01",
        ["Ticketing:Simulated:ContactsPerDay"] = "400",
        ["Ticketing:Simulated:History"] = "2.00:00:00",
        ["Sla:EvaluationInterval"] = "00:00:02",
    });

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        File.Delete(queueLog);
    }

    /// <summary>(file, where, expression) for every query of every dashboard: panel targets and query variables.</summary>
    public static IEnumerable<(string File, string Where, string Expr)> DashboardQueries()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Dashboards, "*.json").Order())
        {
            var board = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var variable in board["templating"]?["list"]?.AsArray() ?? [])
            {
                var query = variable!["query"];
                var text = query is JsonObject o ? o["query"]?.GetValue<string>() : variable["type"]!.GetValue<string>() == "query" ? query?.GetValue<string>() : null;
                if (text is not null)
                    yield return (Path.GetFileName(file), $"variable {variable["name"]}", text);
            }
            foreach (var panel in Panels(board["panels"]!.AsArray()))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                {
                    if (target!["expr"]?.GetValue<string>() is { } expr)
                        yield return (Path.GetFileName(file), $"panel '{panel["title"]}'", expr);
                }
            }
        }
    }

    private static IEnumerable<JsonNode> Panels(JsonArray panels) =>
        panels.SelectMany(p => p!["panels"] is JsonArray nested ? Panels(nested).Prepend(p) : [p!]);

    public static IEnumerable<(string File, string Where, string Expr)> RuleQueries()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Alerts, "prometheus"), "*.yml").Order())
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
                stream.Load(reader);
            foreach (var rule in stream.Documents[0].AllNodes.OfType<YamlMappingNode>())
            {
                if (rule.Children.TryGetValue(new YamlScalarNode("expr"), out var expr) && rule.Children.TryGetValue(new YamlScalarNode("alert"), out var alert))
                    yield return (Path.GetFileName(file), $"alert {((YamlScalarNode)alert).Value}", ((YamlScalarNode)expr).Value!);
            }
        }
    }

    private async Task<IReadOnlySet<string>> ExposedAsync()
    {
        using var client = service.Client();
        // The readiness probe sets incidentdesk_database_up; scrape after it has passed once. The scheduler starts with
        // the host, so on a loaded machine the first probes may come before it runs.
        await Eventually.Until(() => client.GetAsync("/readyz"), r => r.StatusCode == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "/readyz 200");
        return PromQl.ExposedNames(await client.GetStringAsync("/metrics"));
    }

    /// <summary>The names still missing once they all appeared, or after <see cref="SettleTime"/>.</summary>
    private async Task<List<string>> MissingAfterSettlingAsync(List<(string File, string Where, string Expr)> queries)
    {
        try
        {
            return await Eventually.Until(async () => Missing(queries, await ExposedAsync()), m => m.Count == 0, SettleTime, "all queried metrics exported");
        }
        catch (TimeoutException)
        {
            return Missing(queries, await ExposedAsync());
        }
    }

    private static List<string> Missing(IEnumerable<(string File, string Where, string Expr)> queries, IReadOnlySet<string> exposed) =>
        queries.SelectMany(q => PromQl.MetricNames(q.Expr).Select(name => (q.File, q.Where, Name: name)))
            .Where(x => !exposed.Contains(x.Name) && !SyntheticSeries.Contains(x.Name))
            .GroupBy(x => x.Name)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} (used by {string.Join(", ", g.Select(x => $"{x.File} {x.Where}").Distinct().Take(3))}{(g.Count() > 3 ? ", ..." : "")})")
            .ToList();

    [PostgresFact]
    public async Task Every_dashboard_query_uses_only_metrics_the_service_exports()
    {
        var queries = DashboardQueries().ToList();
        queries.Should().HaveCountGreaterThan(20, "the boards have panels with queries");
        var missing = await MissingAfterSettlingAsync(queries);
        missing.Should().BeEmpty("every metric a board queries must be in /metrics; missing:\n  " + string.Join("\n  ", missing));
    }

    [PostgresFact]
    public async Task Every_alert_rule_uses_only_metrics_the_service_exports()
    {
        var queries = RuleQueries().ToList();
        queries.Should().NotBeEmpty();
        var missing = await MissingAfterSettlingAsync(queries);
        missing.Should().BeEmpty("every metric an alert rule queries must be in /metrics; missing:\n  " + string.Join("\n  ", missing));
    }

    [PostgresFact]
    public async Task The_foundation_metrics_the_boards_use_are_found_so_the_comparison_is_real()
    {
        var exposed = await ExposedAsync();
        var used = DashboardQueries().SelectMany(q => PromQl.MetricNames(q.Expr)).ToHashSet();
        used.Should().Contain(["incidentdesk_build_info", "incidentdesk_database_up"]);
        exposed.Should().Contain(["incidentdesk_build_info", "incidentdesk_database_up"]);
        Missing([("probe", "a made-up metric", "incidentdesk_no_such_metric + incidentdesk_build_info")], exposed)
            .Should().Equal("incidentdesk_no_such_metric (used by probe a made-up metric)");
    }
}

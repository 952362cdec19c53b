using YamlDotNet.RepresentationModel;

namespace IncidentDesk.UnitTests.Observability;

/// <summary>The Prometheus and Alertmanager files, checked by the real tools of the Debian packages.</summary>
public sealed class PrometheusRuleToolTests
{
    private static string[] RuleFiles() => Directory.GetFiles(Repo.Path("alerts", "prometheus"), "*.yml").Order().ToArray();

    private static string[] RuleTestFiles() => Directory.GetFiles(Repo.Path("alerts", "prometheus", "tests"), "*.yml").Order().ToArray();

    [Fact]
    public async Task Promtool_check_rules_accepts_every_rule_file()
    {
        var result = await ExternalTool.RunAsync("promtool", ["check", "rules", .. RuleFiles()]);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("SUCCESS");
    }

    [Fact]
    public async Task Promtool_test_rules_passes_every_unit_test()
    {
        var result = await ExternalTool.RunAsync("promtool", ["test", "rules", .. RuleTestFiles()]);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("SUCCESS").And.NotContain("FAILED");
    }

    [Fact]
    public async Task Promtool_test_rules_fails_when_an_expectation_is_wrong()
    {
        // Guards the test above: a rule test with a wrong expectation must make promtool fail.
        using var temp = new TempFolder();
        var original = RuleTestFiles()[0];
        var broken = File.ReadAllText(original)
            .Replace("../incidentdesk.yml", Repo.Path("alerts", "prometheus", "incidentdesk.yml"), StringComparison.Ordinal)
            .Replace("runbook_url: \"runbooks/sla-breach.md\"", "runbook_url: \"runbooks/elsewhere.md\"", StringComparison.Ordinal);
        var file = temp.Write("broken_test.yml", broken);
        var result = await ExternalTool.RunAsync("promtool", ["test", "rules", file]);
        result.ExitCode.Should().NotBe(0, result.ToString());
        result.Output.Should().Contain("IncidentDeskSlaBreached");
    }

    [Fact]
    public void Every_alert_has_a_promtool_test_where_it_fires_and_one_where_it_does_not()
    {
        var alerts = RuleFiles().SelectMany(f => Yaml(f).Documents[0].AllNodes.OfType<YamlMappingNode>())
            .Select(m => m.Children.TryGetValue(new YamlScalarNode("alert"), out var a) ? ((YamlScalarNode)a).Value : null)
            .OfType<string>()
            .ToList();
        alerts.Should().NotBeEmpty();

        var cases = RuleTestFiles().SelectMany(f => Yaml(f).Documents[0].AllNodes.OfType<YamlMappingNode>())
            .Where(m => m.Children.ContainsKey(new YamlScalarNode("alertname")))
            .Select(m => (Alert: ((YamlScalarNode)m.Children[new YamlScalarNode("alertname")]).Value!,
                          Fires: ((YamlSequenceNode)m.Children[new YamlScalarNode("exp_alerts")]).Children.Count > 0))
            .ToList();
        foreach (var alert in alerts)
        {
            cases.Should().Contain((alert, true), $"{alert} needs a test case where it fires");
            cases.Should().Contain((alert, false), $"{alert} needs a test case where it does not fire");
        }
    }

    [Fact]
    public void Every_alert_names_a_runbook_and_the_handbook_alerts_are_there()
    {
        var rules = RuleFiles().SelectMany(f => Yaml(f).Documents[0].AllNodes.OfType<YamlMappingNode>())
            .Where(m => m.Children.ContainsKey(new YamlScalarNode("alert")))
            .ToDictionary(
                m => ((YamlScalarNode)m.Children[new YamlScalarNode("alert")]).Value!,
                m => ((YamlScalarNode)((YamlMappingNode)m.Children[new YamlScalarNode("annotations")]).Children[new YamlScalarNode("runbook_url")]).Value!);
        rules.Keys.Should().Contain(["IncidentDeskSlaBreached", "IncidentDeskSourceDown", "IncidentDeskPagesFailing",
            "IncidentDeskIncidentUnacknowledged", "IncidentDeskDown", "IncidentDeskAbsent", "IncidentDeskDatabaseDown"]);
        rules.Values.Should().AllSatisfy(url => url.Should().MatchRegex(@"^runbooks/[a-z0-9-]+\.md$"));
    }

    [Fact]
    public async Task Promtool_check_config_accepts_the_compose_prometheus_config_and_finds_the_rules()
    {
        var result = await ExternalTool.RunAsync("promtool", ["check", "config", Repo.Path("deploy", "prometheus", "prometheus.yml")]);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain($"SUCCESS: {RuleFiles().Length} rule files found");
    }

    [Fact]
    public async Task Amtool_accepts_the_compose_alertmanager_config()
    {
        var result = await ExternalTool.RunAsync("amtool", ["check-config", Repo.Path("deploy", "alertmanager", "alertmanager.yml")]);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("SUCCESS");
    }

    [Fact]
    public void Alertmanager_posts_to_the_incidentdesk_webhook_with_a_bearer_key()
    {
        var root = (YamlMappingNode)Yaml(Repo.Path("deploy", "alertmanager", "alertmanager.yml")).Documents[0].RootNode;
        var webhook = root.AllNodes.OfType<YamlMappingNode>().Single(m => m.Children.ContainsKey(new YamlScalarNode("url")));
        ((YamlScalarNode)webhook.Children[new YamlScalarNode("url")]).Value.Should().Be("http://incidentdesk:8080/api/v1/alerts");
        var authorization = (YamlMappingNode)((YamlMappingNode)webhook.Children[new YamlScalarNode("http_config")]).Children[new YamlScalarNode("authorization")];
        ((YamlScalarNode)authorization.Children[new YamlScalarNode("type")]).Value.Should().Be("Bearer");
    }

    internal static YamlStream Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream;
    }
}

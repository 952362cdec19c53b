using YamlDotNet.RepresentationModel;

namespace IncidentDesk.UnitTests.Observability;

/// <summary>compose.yaml is valid for docker-compose and consistent with the files it mounts.</summary>
public sealed class ComposeFileTests
{
    private static async Task<YamlMappingNode> ResolvedServicesAsync()
    {
        var result = await ExternalTool.RunAsync("docker-compose", ["-f", Repo.Path("compose.yaml"), "config"]);
        result.ExitCode.Should().Be(0, result.ToString());
        var stream = new YamlStream();
        stream.Load(new StringReader(result.StdOut));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("services")];
    }

    private static IEnumerable<(string Host, string Container)> BindMounts(YamlMappingNode service) =>
        service.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes)
            ? ((YamlSequenceNode)volumes).OfType<YamlScalarNode>().Select(v => v.Value!.Split(':')).Where(p => p[0].StartsWith('/')).Select(p => (p[0], p[1]))
            : [];

    [Fact]
    public async Task Docker_compose_config_accepts_the_file()
    {
        var result = await ExternalTool.RunAsync("docker-compose", ["-f", Repo.Path("compose.yaml"), "config", "-q"]);
        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task The_stack_has_every_service_the_issue_names()
    {
        var services = await ResolvedServicesAsync();
        services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().BeEquivalentTo(
            "postgres", "incidentdesk-1", "incidentdesk-2", "prometheus", "alertmanager", "grafana", "mailcatcher");
    }

    [Fact]
    public async Task Every_bind_mounted_file_exists_in_the_repository()
    {
        var services = await ResolvedServicesAsync();
        var mounts = services.Children.Values.Cast<YamlMappingNode>().SelectMany(BindMounts).ToList();
        mounts.Should().NotBeEmpty();
        mounts.Should().AllSatisfy(m => (File.Exists(m.Host) || Directory.Exists(m.Host)).Should().BeTrue($"{m.Host} is mounted at {m.Container}"));
    }

    [Fact]
    public async Task Grafana_gets_every_dashboard_and_the_provisioning_files()
    {
        var grafana = (YamlMappingNode)(await ResolvedServicesAsync()).Children[new YamlScalarNode("grafana")];
        var mounts = BindMounts(grafana).ToList();
        var boards = Directory.GetFiles(Repo.Path("dashboards"), "*.json").Select(Path.GetFileName);
        mounts.Where(m => m.Container.StartsWith("/var/lib/grafana/dashboards/", StringComparison.Ordinal)).Select(m => Path.GetFileName(m.Host))
            .Should().BeEquivalentTo(boards, "every dashboards/*.json is provisioned");
        mounts.Should().Contain((Repo.Path("dashboards", "provisioning", "dashboards"), "/etc/grafana/provisioning/dashboards"));
        mounts.Should().Contain((Repo.Path("dashboards", "provisioning", "datasources"), "/etc/grafana/provisioning/datasources"));
        var provider = File.ReadAllText(Repo.Path("dashboards", "provisioning", "dashboards", "incidentdesk.yaml"));
        provider.Should().Contain("path: /var/lib/grafana/dashboards");
    }

    [Fact]
    public async Task Prometheus_scrapes_both_replicas_and_alertmanager_reaches_them_by_a_shared_alias()
    {
        var services = await ResolvedServicesAsync();
        var prometheus = File.ReadAllText(Repo.Path("deploy", "prometheus", "prometheus.yml"));
        prometheus.Should().Contain("\"incidentdesk-1:8080\", \"incidentdesk-2:8080\"").And.Contain("alertmanager:9093");
        foreach (var replica in new[] { "incidentdesk-1", "incidentdesk-2" })
        {
            var service = (YamlMappingNode)services.Children[new YamlScalarNode(replica)];
            var aliases = service.AllNodes.OfType<YamlMappingNode>()
                .Where(m => m.Children.ContainsKey(new YamlScalarNode("aliases")))
                .SelectMany(m => ((YamlSequenceNode)m.Children[new YamlScalarNode("aliases")]).OfType<YamlScalarNode>().Select(s => s.Value));
            aliases.Should().Contain("incidentdesk", replica);
        }
        var promMounts = BindMounts((YamlMappingNode)services.Children[new YamlScalarNode("prometheus")]).ToList();
        promMounts.Should().Contain((Repo.Path("alerts", "prometheus"), "/etc/incidentdesk/alerts/prometheus"), "the config's rule_files path ../../alerts/prometheus resolves there");
    }
}

using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary><c>incidentdesk check</c> (the real executable) validates dashboards/*.json and alerts/prometheus/*.yml.</summary>
public sealed class CheckObservabilityFilesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("incidentdesk-check-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Task<CliProcess.Result> CheckAsync(string dashboards, string alerts) =>
        CliProcess.RunAsync(["check", "--Paths:Dashboards=" + dashboards, "--Paths:Alerts=" + alerts],
            new Dictionary<string, string?> { ["ConnectionStrings__IncidentDesk"] = "Host=127.0.0.1" });

    [Fact]
    public async Task The_repository_files_pass_the_check()
    {
        var result = await CheckAsync(RepoPaths.Dashboards, RepoPaths.Alerts);
        result.StdOut.Should().NotContain("dashboards/").And.NotContain("alerts/prometheus/");
    }

    [Fact]
    public async Task Broken_dashboard_and_rule_files_are_reported_as_path_line_message_with_exit_1()
    {
        var dashboards = Directory.CreateDirectory(Path.Combine(root, "dashboards")).FullName;
        var rules = Directory.CreateDirectory(Path.Combine(root, "alerts", "prometheus")).FullName;
        File.Copy(Path.Combine(RepoPaths.Dashboards, "sla.json"), Path.Combine(dashboards, "sla.json"));
        File.WriteAllText(Path.Combine(dashboards, "broken.json"), "{\n  \"uid\": \"x\",\n  \"title\": \n}\n");
        File.WriteAllText(Path.Combine(rules, "r.yml"), """
            groups:
              - name: g
                rules:
                  - alert: NoRunbook
                    expr: up == 0
                    labels:
                      severity: critical
                    annotations:
                      summary: s
                      description: d
            """);

        var result = await CheckAsync(dashboards, Path.Combine(root, "alerts"));

        result.ExitCode.Should().Be(1, result.StdErr);
        result.StdOut.Should().Contain($"{Path.Combine(dashboards, "broken.json")}:4: invalid JSON")
            .And.Contain($"{Path.Combine(rules, "r.yml")}:9: NoRunbook: missing annotation \"runbook_url\"")
            .And.NotContain("sla.json");
    }
}

using System.Text.Json.Nodes;

namespace IncidentDesk.UnitTests.Observability;

/// <summary>
/// Every dashboard type-checks against Grafana's published schema (npm @grafana/schema, tsc --strict), through
/// dashboards/schema-check/check.mjs; its node_modules come from `npm ci` in scripts/install-deps.sh.
/// </summary>
public sealed class DashboardSchemaTests
{
    private static readonly string Checker = Repo.Path("dashboards", "schema-check", "check.mjs");

    private static Task<ExternalTool.Result> CheckAsync(params string[] paths)
    {
        File.Exists(Repo.Path("dashboards", "schema-check", "node_modules", "@grafana", "schema", "package.json")).Should()
            .BeTrue("`npm ci` in dashboards/schema-check must have run (make deps / scripts/install-deps.sh)");
        return ExternalTool.RunAsync("node", [Checker, .. paths]);
    }

    [Fact]
    public async Task Every_dashboard_matches_the_grafana_schema()
    {
        var result = await CheckAsync(Repo.Path("dashboards"));
        result.ExitCode.Should().Be(0, result.ToString());
        result.StdErr.Should().Contain($"{Directory.GetFiles(Repo.Path("dashboards"), "*.json").Length} dashboard(s) match @grafana/schema");
    }

    [Fact]
    public async Task A_dashboard_with_a_wrong_type_or_unknown_key_is_reported_as_path_and_line()
    {
        using var temp = new TempFolder();
        var board = JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "sla.json")))!.AsObject();
        board["refresh"] = 60;
        board["panels"]![1]!["gridPos"]!["width"] = 6;
        var file = temp.Write("bad.json", board.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var lines = File.ReadAllLines(file);
        var refreshLine = Array.FindIndex(lines, l => l.Contains("\"refresh\": 60", StringComparison.Ordinal)) + 1;
        var widthLine = Array.FindIndex(lines, l => l.Contains("\"width\": 6", StringComparison.Ordinal)) + 1;

        var result = await CheckAsync(file);

        result.ExitCode.Should().Be(1, result.ToString());
        var problems = result.StdOut.Trim().Split('\n');
        problems.Should().HaveCount(2, result.ToString());
        problems.Should().Contain(p => p.StartsWith($"{file}:{refreshLine}: TS2322", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith($"{file}:{widthLine}: TS2353", StringComparison.Ordinal) && p.Contains("'\"width\"'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_threshold_mode_grafana_does_not_know_is_rejected()
    {
        using var temp = new TempFolder();
        var text = File.ReadAllText(Repo.Path("dashboards", "sla.json"));
        var index = text.IndexOf("\"mode\": \"absolute\"", StringComparison.Ordinal);
        index.Should().BePositive();
        var file = temp.Write("bad.json", string.Concat(text.AsSpan(0, index), "\"mode\": \"absolut\"", text.AsSpan(index + "\"mode\": \"absolute\"".Length)));
        var result = await CheckAsync(file);
        result.ExitCode.Should().Be(1, result.ToString());
        result.StdOut.Should().Contain("\"absolut\"");
    }

    [Fact]
    public async Task A_panel_option_its_plugin_does_not_know_is_rejected()
    {
        using var temp = new TempFolder();
        var board = JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "sla.json")))!.AsObject();
        var timeseries = board["panels"]!.AsArray().First(p => p!["type"]!.GetValue<string>() == "timeseries")!;
        timeseries["options"]!["legend"]!["displayMode"] = "sidebar";
        var file = temp.Write("bad.json", board.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var line = Array.FindIndex(File.ReadAllLines(file), l => l.Contains("\"displayMode\": \"sidebar\"", StringComparison.Ordinal)) + 1;

        var result = await CheckAsync(file);

        result.ExitCode.Should().Be(1, result.ToString());
        result.StdOut.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith($"{file}:{line}: TS2322").And.Contain("\"sidebar\"");
    }
}

using System.Text.Json.Nodes;
using IncidentDesk.Dashboards;

namespace IncidentDesk.UnitTests.Observability;

public sealed class DashboardFileCheckTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static JsonObject Sla() => JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "sla.json")))!.AsObject();

    private string WriteDashboard(string name, JsonObject dashboard) =>
        temp.Write(name, dashboard.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    private static int LineOf(string file, string needle) =>
        File.ReadAllLines(file).Select((text, i) => (text, i)).First(l => l.text.Contains(needle, StringComparison.Ordinal)).i + 1;

    [Fact]
    public void The_repository_dashboards_have_no_problems()
    {
        var files = DashboardFile.LoadAll(Repo.Path("dashboards"));
        files.Select(f => Path.GetFileName(f.Path)).Should().BeEquivalentTo("incidents-oncall.json", "integrations.json", "service.json", "sla.json");
        DashboardFileCheck.Check(Repo.Path("dashboards")).Should().BeEmpty();
    }

    [Fact]
    public void Every_board_has_a_stable_uid_a_prometheus_datasource_variable_and_templating()
    {
        var files = DashboardFile.LoadAll(Repo.Path("dashboards"));
        files.Select(f => f.Uid).Should().BeEquivalentTo("incidentdesk-sla", "incidentdesk-incidents-oncall", "incidentdesk-integrations", "incidentdesk-service");
        foreach (var file in files)
        {
            var variables = file.Dashboard!["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToList();
            variables.Should().Contain("datasource", file.Path);
        }
        var sla = files.Single(f => f.Uid == "incidentdesk-sla").Dashboard!["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>());
        sla.Should().Contain(["channel", "rule"]);
    }

    [Fact]
    public void Invalid_json_is_reported_with_its_line()
    {
        var file = temp.Write("broken.json", "{\n  \"uid\": \"a\",\n  \"title\": oops\n}\n");
        DashboardFileCheck.Check(temp.Path).Should().ContainSingle()
            .Which.ToString().Should().StartWith($"{file}:3: invalid JSON");
    }

    [Fact]
    public void A_too_long_uid_is_reported_on_the_uid_line()
    {
        var board = Sla();
        board["uid"] = new string('x', 41);
        var file = WriteDashboard("long.json", board);
        DashboardFileCheck.Check(temp.Path).Select(p => p.ToString()).Should().Equal(
            $"{file}:{LineOf(file, "\"uid\": \"xxxx")}: uid '{new string('x', 41)}' must be 1-40 letters, digits, '-' or '_'");
    }

    [Fact]
    public void A_panel_wider_than_24_columns_is_reported_on_its_gridpos()
    {
        var board = Sla();
        var panel = board["panels"]![1]!.AsObject();
        panel["gridPos"] = new JsonObject { ["x"] = 12, ["y"] = 0, ["w"] = 13, ["h"] = 4 };
        var file = WriteDashboard("wide.json", board);
        var problem = DashboardFileCheck.Check(temp.Path).Should().ContainSingle().Subject;
        problem.Message.Should().Be("gridPos x=12, w=13 does not fit Grafana's 24 columns");
        File.ReadAllLines(file)[problem.Line - 1].Should().Contain("\"w\": 13");
    }

    [Fact]
    public void A_hard_coded_datasource_and_a_target_without_expr_are_reported()
    {
        var board = Sla();
        var targets = board["panels"]![1]!["targets"]!.AsArray();
        targets[0]!["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "P1809F7CD0C75ACF3" };
        targets[0]!.AsObject().Remove("expr");
        WriteDashboard("hard.json", board);
        DashboardFileCheck.Check(temp.Path).Select(p => p.Message).Should().BeEquivalentTo(
            "datasource uid 'P1809F7CD0C75ACF3' is not the dashboard's Prometheus data-source variable (e.g. \"${datasource}\")",
            "target without a PromQL \"expr\"");
    }

    [Fact]
    public void A_board_without_a_datasource_variable_is_reported()
    {
        var board = Sla();
        var list = board["templating"]!["list"]!.AsArray();
        list.RemoveAt(list.Select((v, i) => (v, i)).First(x => x.v!["type"]!.GetValue<string>() == "datasource").i);
        WriteDashboard("nods.json", board);
        DashboardFileCheck.Check(temp.Path).Select(p => p.Message).Should().Contain(
            "no Prometheus data-source variable (templating.list entry with type \"datasource\" and query \"prometheus\")");
    }

    [Fact]
    public void Two_files_with_one_uid_are_reported()
    {
        WriteDashboard("a.json", Sla());
        var second = Sla();
        second["title"] = "Another title";
        var file = WriteDashboard("b.json", second);
        DashboardFileCheck.Check(temp.Path).Select(p => p.ToString()).Should().Equal(
            $"{file}:1: uid 'incidentdesk-sla' is also used by a.json: Grafana would overwrite one board with the other");
    }
}

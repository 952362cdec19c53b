using System.Text.Json.Nodes;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary><c>incidentdesk dashboards push</c>, the real executable, against a fake of Grafana's HTTP API.</summary>
public sealed class DashboardsPushTests : IAsyncLifetime
{
    private FakeGrafana grafana = null!;

    private static readonly string[] BoardFiles = Directory.GetFiles(RepoPaths.Dashboards, "*.json").Order().ToArray();

    public async Task InitializeAsync() => grafana = await FakeGrafana.StartAsync();

    public async Task DisposeAsync() => await grafana.DisposeAsync();

    private Task<CliProcess.Result> PushAsync(string? token = FakeGrafana.Token, string? dir = null, bool withUrl = true)
    {
        var env = new Dictionary<string, string?>();
        if (withUrl)
            env["Grafana__Url"] = grafana.BaseAddress.ToString();
        if (token is not null)
            env["Grafana__Token"] = token;
        return CliProcess.RunAsync(dir is null ? ["dashboards", "push"] : ["dashboards", "push", "--dir", dir], env);
    }

    private static string Uid(string file) => JsonNode.Parse(File.ReadAllText(file))!["uid"]!.GetValue<string>();

    [Fact]
    public async Task First_push_creates_the_folder_and_every_dashboard_with_overwrite_and_the_bearer_token()
    {
        var result = await PushAsync();

        result.ExitCode.Should().Be(0, result.StdErr);
        grafana.Folders.Should().ContainKey("incidentdesk").WhoseValue.Should().Be("IncidentDesk");
        grafana.Dashboards.Keys.Should().BeEquivalentTo(BoardFiles.Select(Uid));
        grafana.Dashboards.Values.Should().AllSatisfy(d => d.FolderUid.Should().Be("incidentdesk"));
        grafana.Saves.Should().HaveCount(BoardFiles.Length).And.AllSatisfy(body =>
        {
            body["overwrite"]!.GetValue<bool>().Should().BeTrue();
            body["folderUid"]!.GetValue<string>().Should().Be("incidentdesk");
            body["dashboard"]!["id"].Should().BeNull("a dashboard from a file carries no instance-specific id");
        });
        var sla = grafana.Dashboards["incidentdesk-sla"].Dashboard;
        sla["panels"]!.AsArray().Count.Should().Be(JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Dashboards, "sla.json")))!["panels"]!.AsArray().Count);
        result.StdOut.Should().Contain("created folder incidentdesk").And.Contain("created incidentdesk-sla (sla.json) version 1");
    }

    [Fact]
    public async Task Pushing_again_changes_nothing()
    {
        (await PushAsync()).ExitCode.Should().Be(0);
        var savesAfterFirst = grafana.Saves.Count;

        var second = await PushAsync();

        second.ExitCode.Should().Be(0, second.StdErr);
        grafana.Saves.Count.Should().Be(savesAfterFirst, "an unchanged board is not saved again");
        grafana.Requests.Count(r => r == "POST /api/folders").Should().Be(1);
        grafana.Dashboards.Values.Should().AllSatisfy(d => d.Dashboard["version"]!.GetValue<int>().Should().Be(1));
        second.StdOut.Should().Contain("unchanged incidentdesk-sla (sla.json) version 1").And.NotContain("created");
    }

    [Fact]
    public async Task A_changed_dashboard_is_updated_to_a_new_version()
    {
        using var temp = new TempDashboards();
        (await PushAsync(dir: temp.Path)).ExitCode.Should().Be(0);
        temp.Edit("sla.json", d => d["description"] = "changed");

        var result = await PushAsync(dir: temp.Path);

        result.ExitCode.Should().Be(0, result.StdErr);
        grafana.Dashboards["incidentdesk-sla"].Dashboard["version"]!.GetValue<int>().Should().Be(2);
        grafana.Dashboards["incidentdesk-sla"].Dashboard["description"]!.GetValue<string>().Should().Be("changed");
        result.StdOut.Should().Contain("updated incidentdesk-sla (sla.json) version 2").And.Contain("unchanged incidentdesk-service");
    }

    [Fact]
    public async Task An_existing_folder_is_used_as_it_is()
    {
        grafana.Folders["incidentdesk"] = "Support boards";
        var result = await PushAsync();
        result.ExitCode.Should().Be(0, result.StdErr);
        grafana.Requests.Should().NotContain("POST /api/folders");
        grafana.Folders["incidentdesk"].Should().Be("Support boards");
    }

    [Fact]
    public async Task A_folder_created_concurrently_409_is_fine()
    {
        grafana.Fail("POST /api/folders", 409, """{"message":"a folder with the same uid already exists"}""");
        grafana.Fail("GET /api/folders", 200, "[]");
        grafana.Folders["incidentdesk"] = "IncidentDesk";
        var result = await PushAsync();
        result.ExitCode.Should().Be(0, result.StdErr);
        grafana.Dashboards.Should().HaveCount(BoardFiles.Length);
    }

    [Fact]
    public async Task A_title_taken_by_another_dashboard_is_412_name_exists_reported_in_one_line_and_the_rest_is_pushed()
    {
        grafana.Folders["incidentdesk"] = "IncidentDesk";
        grafana.Dashboards["someone-elses-board"] = (new JsonObject { ["uid"] = "someone-elses-board", ["title"] = "IncidentDesk / SLA", ["version"] = 3 }, "incidentdesk");

        var result = await PushAsync();

        result.ExitCode.Should().Be(1);
        var lines = result.StdErr.Trim().Split('\n');
        lines.Should().ContainSingle().Which.Should().Be(
            "incidentdesk: dashboards push: sla.json (incidentdesk-sla): another dashboard in the folder already has this title "
            + "(412 name-exists: A dashboard with the same name in the folder already exists): rename one of them or delete the other board");
        grafana.Dashboards.Keys.Should().Contain(BoardFiles.Select(Uid).Where(u => u != "incidentdesk-sla"));
        grafana.Dashboards.Keys.Should().NotContain("incidentdesk-sla");
    }

    [Fact]
    public async Task A_412_version_mismatch_is_reported_in_one_line()
    {
        grafana.Fail("POST /api/dashboards/db", 412, """{"message":"The dashboard has been changed by someone else","status":"version-mismatch"}""");
        var result = await PushAsync();
        result.ExitCode.Should().Be(1);
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("412 version-mismatch: The dashboard has been changed by someone else")
            .And.StartWith($"incidentdesk: dashboards push: {Path.GetFileName(BoardFiles[0])} ({Uid(BoardFiles[0])}): ");
        result.StdErr.Should().NotContain("   at ");
    }

    [Fact]
    public async Task A_wrong_token_is_401_reported_in_one_line_and_nothing_else_is_tried()
    {
        var result = await PushAsync(token: "glsa_wrong");

        result.ExitCode.Should().Be(1);
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Be(
            $"incidentdesk: dashboards push: folder incidentdesk: Grafana at {grafana.BaseAddress} refused the token (401 invalid API key): set Grafana:Token to a valid service-account token");
        grafana.Requests.Should().Equal("GET /api/folders");
        grafana.Dashboards.Should().BeEmpty();
    }

    [Fact]
    public async Task A_503_with_retry_after_is_retried()
    {
        grafana.Fail("POST /api/dashboards/db", 503, """{"message":"busy"}""", retryAfter: 0);
        var result = await PushAsync();
        result.ExitCode.Should().Be(0, result.StdErr);
        grafana.Dashboards.Should().HaveCount(BoardFiles.Length);
        grafana.Requests.Count(r => r == "POST /api/dashboards/db").Should().Be(BoardFiles.Length + 1);
    }

    [Fact]
    public async Task An_invalid_dashboard_is_reported_as_path_and_line_and_nothing_is_pushed()
    {
        using var temp = new TempDashboards();
        temp.Edit("service.json", d => d["uid"] = new string('u', 41));

        var result = await PushAsync(dir: temp.Path);

        result.ExitCode.Should().Be(1);
        result.StdOut.Should().Contain($"{Path.Combine(temp.Path, "service.json")}:3: uid '{new string('u', 41)}' must be 1-40 letters");
        grafana.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_grafana_url_push_stops_with_one_line_naming_the_key()
    {
        var result = await PushAsync(withUrl: false);
        result.ExitCode.Should().Be(2);
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("Grafana:Url");
    }

    [Fact]
    public async Task A_url_without_a_token_stops_with_one_line_naming_the_key()
    {
        var result = await PushAsync(token: null);
        result.ExitCode.Should().Be(2);
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("Grafana:Token");
        grafana.Requests.Should().BeEmpty();
    }

    /// <summary>A copy of the repository's dashboards that a test may change.</summary>
    private sealed class TempDashboards : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("incidentdesk-boards-").FullName;

        public TempDashboards()
        {
            foreach (var file in BoardFiles)
                File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        }

        public void Edit(string name, Action<JsonObject> change)
        {
            var file = System.IO.Path.Combine(Path, name);
            var board = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            change(board);
            File.WriteAllText(file, board.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

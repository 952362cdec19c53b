using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Paging;

namespace IncidentDesk.IntegrationTests.OnCall;

/// <summary><c>GET /api/v1/oncall</c> and the client verbs <c>oncall</c>, <c>incidents</c>, <c>ack</c> against a running service.</summary>
public sealed class OnCallApiTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestService service = null!;

    public async Task InitializeAsync() => service = await TestService.StartAsync(database);

    public async Task DisposeAsync() => await service.DisposeAsync();

    private static Dictionary<string, string?> ClientEnv() => new() { ["INCIDENTDESK_API_KEY"] = TestService.AdminKey };

    [PostgresFact]
    public async Task The_api_answers_who_is_on_duty_at_a_time_including_overrides()
    {
        using var client = service.Client(TestService.ShiftLeadKey);
        // Sample file: Christmas Eve 2026, anna is replaced by dora wherever she is on duty.
        var normal = await client.GetFromJsonAsync<JsonElement>("/api/v1/oncall?at=2026-01-05T09:00:00Z");
        normal.GetProperty("shift").GetProperty("name").GetString().Should().Be("early");
        normal.GetProperty("lead").GetProperty("id").GetString().Should().Be("anna");
        normal.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("id").GetString()).Should().Equal("ben", "carla");
        normal.GetProperty("escalation")[1].GetProperty("people")[0].GetProperty("id").GetString().Should().Be("tom");

        var holidays = Enumerable.Range(0, 24).Select(h => new DateTimeOffset(2026, 12, 24, h, 0, 0, TimeSpan.Zero));
        var swapped = false;
        foreach (var at in holidays)
        {
            var duty = await client.GetFromJsonAsync<JsonElement>($"/api/v1/oncall?at={Uri.EscapeDataString(at.ToString("O"))}");
            if (duty.GetProperty("overrides").GetArrayLength() > 0)
            {
                swapped = true;
                duty.GetProperty("lead").GetProperty("id").GetString().Should().NotBe("anna");
                JsonSerializer.Serialize(duty).Should().NotContain("\"id\":\"anna\"");
            }
        }
        swapped.Should().BeTrue("anna works some shift on 24 December and dora stands in");

        (await client.GetAsync("/api/v1/oncall?at=yesterday")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await service.Client().GetAsync("/api/v1/oncall")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [PostgresFact]
    public async Task The_cli_shows_the_duty_lists_incidents_and_acknowledges()
    {
        var url = service.BaseAddress.ToString();
        var oncall = await CliProcess.RunAsync(["oncall", "--at", "2026-01-05T09:00:00Z", "--url", url], ClientEnv());
        oncall.ExitCode.Should().Be(0, oncall.StdErr);
        oncall.StdOut.Should().Contain("shift   early").And.Contain("lead    anna").And.Contain("level 3 maria");

        using var admin = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(admin, "Cli-" + Guid.NewGuid().ToString("N")[..6]);
        var list = await CliProcess.RunAsync(["incidents", "--status", "triggered", "--url", url], ClientEnv());
        list.ExitCode.Should().Be(0, list.StdErr);
        list.StdOut.Should().MatchRegex($@"\s{id}\s+triggered\s+critical");

        var ack = await CliProcess.RunAsync(["ack", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--by", "anna", "--url", url], ClientEnv());
        ack.ExitCode.Should().Be(0, ack.StdErr);
        ack.StdOut.Should().Contain($"incident {id} acknowledged");
        var incident = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        incident.GetProperty("incident").GetProperty("acknowledgedBy").GetString().Should().Be("anna");

        var again = await CliProcess.RunAsync(["ack", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--by", "anna", "--url", url], ClientEnv());
        again.StdOut.Should().Contain("already acknowledged");
        var noKey = await CliProcess.RunAsync(["incidents", "--url", url]);
        noKey.ExitCode.Should().Be(2);
        noKey.StdErr.Should().Contain("INCIDENTDESK_API_KEY");
    }

    [Fact]
    public async Task Check_reports_a_broken_oncall_file_as_path_line_message()
    {
        var dir = Path.Combine(Path.GetTempPath(), "incidentdesk-check-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var yaml = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Alerts, "oncall.yaml"));
            await File.WriteAllTextAsync(Path.Combine(dir, "oncall.yaml"), yaml.Replace("timeZone: Europe/Berlin", "timeZone: Mars/Olympus", StringComparison.Ordinal));
            var lines = yaml.Split('\n').ToList();
            var line = lines.FindIndex(l => l.StartsWith("timeZone:", StringComparison.Ordinal)) + 1;
            var result = await CliProcess.RunAsync(["check", $"--Paths:Alerts={dir}"], new Dictionary<string, string?> { ["ConnectionStrings__IncidentDesk"] = "Host=127.0.0.1" });
            result.ExitCode.Should().Be(1);
            result.StdOut.Should().Contain($"{Path.Combine(dir, "oncall.yaml")}:{line}: timeZone: unknown IANA time zone 'Mars/Olympus'");

            var serve = await CliProcess.RunAsync(["serve", $"--Paths:Alerts={dir}"], new Dictionary<string, string?> { ["ConnectionStrings__IncidentDesk"] = "Host=127.0.0.1" });
            serve.ExitCode.Should().Be(2, "a broken schedule stops start-up");
            serve.StdErr.Should().Contain("Mars/Olympus");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

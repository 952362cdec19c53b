using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Web;

namespace IncidentDesk.IntegrationTests.Foundation;

public sealed class HttpSurfaceTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestService service = null!;

    public async Task InitializeAsync() => service = await TestService.StartAsync(database, mapExtra: app =>
    {
        var api = app.MapApi();
        api.MapGet("/probe", () => Results.Ok(new { read = true })).AllowRoles(Roles.Manager, Roles.Admin);
        api.MapPost("/probe", () => Results.Ok(new { changed = true })).AllowRoles(Roles.Engineer, Roles.Admin);
        api.MapPost("/probe-conflict", () => Problems.Conflict("already done")).AllowRoles(Roles.Engineer);
    });

    public async Task DisposeAsync() => await service.DisposeAsync();

    [PostgresFact]
    public async Task Healthz_and_readyz_answer_200_when_database_and_scheduler_are_up()
    {
        using var client = service.Client();
        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        // The scheduler starts with the host; on a loaded machine the first probe may land before it runs.
        var ready = await Eventually.Until(() => client.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "/readyz 200");
        var body = await ready.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        body.Should().Contain("database", "ok").And.Contain("scheduler", "ok");
    }

    [PostgresFact]
    public async Task Metrics_expose_incidentdesk_series_that_pass_promtool()
    {
        using var client = service.Client();
        await client.GetAsync("/readyz");
        var text = await client.GetStringAsync("/metrics");
        text.Should().Contain("incidentdesk_build_info{").And.Contain("incidentdesk_database_up 1");

        var ours = string.Join('\n', text.Split('\n').Where(l => l.Contains("incidentdesk_", StringComparison.Ordinal))) + "\n";
        var lint = await Promtool.CheckMetricsAsync(ours);
        lint.Should().BeEmpty("promtool check metrics reports no problems for the incidentdesk_ series");
    }

    [PostgresFact]
    public async Task Two_services_in_one_process_scraped_at_once_each_report_their_own_database()
    {
        // prometheus-net keeps one registry per process; each scrape must export the values its own refresh read.
        var other = new TestDatabase();
        await other.InitializeAsync();
        try
        {
            await using var second = await TestService.StartAsync(other);
            using (var admin = second.Client(TestService.AdminKey))
            {
                for (var i = 0; i < 3; i++)
                    (await admin.PostAsJsonAsync("/api/v1/incidents", new { title = $"Queue stuck {i}", severity = "low" })).EnsureSuccessStatusCode();
            }
            var ours = await UnacknowledgedAsync(database);
            var theirs = await UnacknowledgedAsync(other);
            theirs.Should().Be(ours + 3);

            using var first = service.Client();
            using var next = second.Client();
            const string series = "incidentdesk_incidents_unacknowledged";
            var scrapes = Enumerable.Range(0, 40).Select(async i =>
            {
                var (client, expected) = i % 2 == 0 ? (first, ours) : (next, theirs);
                return (Expected: (double)expected, Seen: Observability.PromQl.SampleValue(await client.GetStringAsync("/metrics"), series));
            });
            (await Task.WhenAll(scrapes)).Should().OnlyContain(s => s.Seen == s.Expected);
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task A_refresh_that_hangs_past_the_budget_leaves_the_last_values_instead_of_failing_the_scrape()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hanging = await TestService.StartAsync(database, time: time, mapExtra: app =>
            app.Services.GetRequiredService<ScrapeRefresh>().Add(async ct =>
            {
                entered.TrySetResult();
                await new TaskCompletionSource().Task; // never completes and ignores its token, as a stuck driver call would
            }));
        using var client = hanging.Client();

        var scrape = client.GetAsync("/metrics");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        scrape.IsCompleted.Should().BeFalse("the scrape waits for its refreshes while they are within the budget");
        time.Advance(ScrapeRefresh.Budget);

        var response = await scrape;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("incidentdesk_incidents_unacknowledged");
    }

    private static async Task<long> UnacknowledgedAsync(TestDatabase db)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incidents WHERE status = 'triggered'");
    }

    [PostgresFact]
    public async Task Api_without_a_key_is_401_problem_json()
    {
        using var client = service.Client();
        var response = await client.GetAsync("/api/v1/probe");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");
    }

    [PostgresFact]
    public async Task Api_with_an_unknown_key_is_401()
    {
        using var client = service.Client("not-a-configured-key");
        (await client.GetAsync("/api/v1/probe")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [PostgresFact]
    public async Task Api_with_a_role_the_endpoint_does_not_allow_is_403_problem_json()
    {
        using var client = service.Client(TestService.ShiftLeadKey);
        var response = await client.PostAsync("/api/v1/probe", null);
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [PostgresFact]
    public async Task Api_with_an_allowed_role_succeeds()
    {
        using var client = service.Client(TestService.ManagerKey);
        (await client.GetAsync("/api/v1/probe")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [PostgresFact]
    public async Task State_changing_calls_are_audited_with_who_what_and_outcome_and_reads_are_not()
    {
        using var engineer = service.Client(TestService.EngineerKey);
        (await engineer.PostAsync("/api/v1/probe", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await engineer.PostAsync("/api/v1/probe-conflict", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        using var manager = service.Client(TestService.ManagerKey);
        (await manager.GetAsync("/api/v1/probe")).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Actor, string Role, string Method, string Path, int Status)>(
            "SELECT actor, role, method, path, status FROM audit_log ORDER BY id")).ToList();
        rows.Should().Equal(
            ("eng", Roles.Engineer, "POST", "/api/v1/probe", 200),
            ("eng", Roles.Engineer, "POST", "/api/v1/probe-conflict", 409));
    }

    [PostgresFact]
    public async Task Unknown_paths_are_404_problem_json()
    {
        using var client = service.Client();
        var response = await client.GetAsync("/no/such/thing");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }
}

/// <summary>promtool from the Debian prometheus package (installed by <c>make test</c>).</summary>
public static class Promtool
{
    /// <summary>Problems promtool reports for an exposition text; empty when it is clean.</summary>
    public static async Task<string> CheckMetricsAsync(string exposition)
    {
        var info = new ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output.Trim() : $"exit {process.ExitCode}: {output}";
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Runbooks.Fakes;
using IncidentDesk.Web;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>
/// The real executable killed (SIGKILL) at the dangerous moment of an automated step — after the vendor call,
/// before the step is recorded done — and started again: one Jira issue, one mail per customer.
/// The configuration's test-only fault hook holds the step at that moment so the kill lands there every time.
/// </summary>
public sealed class RunbookCrashTests(TestDatabase database, Smtp4devServer smtp) : IClassFixture<TestDatabase>, IClassFixture<Smtp4devServer>
{
    private const string Key = "crash-test-key";

    [PostgresFact]
    public async Task A_process_killed_after_creating_the_Jira_issue_does_not_create_a_second_one_when_restarted()
    {
        await using var fakes = await VendorFakes.StartAsync();
        var first = await StartAsync(fakes, holdAfter: "escalate");
        long id;
        try
        {
            id = await OpenAndAcknowledgeAsync(first.Url, new() { ["runbook"] = "generic" });
            await Eventually.Until(() => Task.FromResult(fakes.JiraIssues.Count), n => n == 1, TimeSpan.FromSeconds(30), "the issue created");
            (await StepStatusAsync(id, "escalate-to-tech")).Should().Be("running", "the hook holds the step before it records the key");
        }
        finally
        {
            first.Process.Kill();
            await first.Process.WaitForExitAsync();
        }

        var second = await StartAsync(fakes, holdAfter: null);
        try
        {
            await Eventually.Until(() => StepStatusAsync(id, "escalate-to-tech"), s => s == "done", TimeSpan.FromSeconds(60), "escalation done after restart");
            await ResolveAsync(second.Url, id);
        }
        finally
        {
            second.Process.Kill();
            await second.Process.WaitForExitAsync();
        }
        fakes.JiraIssues.Should().ContainSingle("the retry found the issue by its idempotency label");
        fakes.Requests.Count(r => r.Request == "POST /rest/api/3/issue").Should().Be(1);
        fakes.Requests.Count(r => r.Request == "POST /rest/api/3/search/jql").Should().Be(2, "each attempt looks for the label first");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<string>("SELECT result->>'jiraKey' FROM runbook_steps WHERE incident_id = @id AND step_id = 'escalate-to-tech'", new { id }))
            .Should().Be(fakes.JiraIssues.Keys.Single());
        (await connection.ExecuteScalarAsync<string>("SELECT message FROM incident_events WHERE incident_id = @id AND kind = 'step-done' AND message LIKE '%escalate-to-tech%'", new { id }))
            .Should().Contain("found (created by an earlier attempt)");
    }

    [PostgresFact]
    public async Task A_process_killed_after_mailing_a_customer_does_not_mail_them_again_when_restarted()
    {
        await using var fakes = await VendorFakes.StartAsync();
        fakes.AddCustomer("201", "9201", "Erika Mustermann", "erika.crash@example.de", "de");
        fakes.AddCustomer("202", "9202", "John Smith", "john.crash@example.com", "en");
        var first = await StartAsync(fakes, holdAfter: "communicate");
        long id;
        try
        {
            id = await OpenAndAcknowledgeAsync(first.Url, new() { ["runbook"] = "generic", ["tickets"] = "201,202" });
            await Eventually.Until(async () => (await smtp.MessagesAsync()).Count(m => m.To.Mailboxes.Any(b => b.Address.Contains(".crash@", StringComparison.Ordinal))),
                n => n == 1, TimeSpan.FromSeconds(30), "the first customer mailed");
        }
        finally
        {
            first.Process.Kill();
            await first.Process.WaitForExitAsync();
        }

        var second = await StartAsync(fakes, holdAfter: null);
        try
        {
            await Eventually.Until(() => StepStatusAsync(id, "notify-customers"), s => s == "done", TimeSpan.FromSeconds(60), "notice done after restart");
            await ResolveAsync(second.Url, id);
        }
        finally
        {
            second.Process.Kill();
            await second.Process.WaitForExitAsync();
        }
        var mails = (await smtp.MessagesAsync()).Where(m => m.To.Mailboxes.Any(b => b.Address.Contains(".crash@", StringComparison.Ordinal))).ToList();
        mails.Select(m => m.To.Mailboxes.Single().Address).Should().BeEquivalentTo(["erika.crash@example.de", "john.crash@example.com"], "one mail per customer");
        fakes.ZendeskComments["201"].Should().ContainSingle();
        fakes.ZendeskComments["202"].Should().ContainSingle();

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var states = (await connection.QueryAsync<(string Ticket, string Channel, string State)>(
            "SELECT ticket_id, channel, state FROM runbook_notices WHERE incident_id = @id ORDER BY ticket_id, channel", new { id })).ToList();
        states.Should().Equal(("201", "comment", "sent"), ("201", "email", "uncertain"), ("202", "comment", "sent"), ("202", "email", "sent"));
        (await connection.ExecuteScalarAsync<string>("SELECT message FROM incident_events WHERE incident_id = @id AND kind = 'notice-uncertain'", new { id }))
            .Should().Contain("ticket 201").And.Contain("not resent");
        // Data minimisation: no address is stored anywhere in the runbook tables.
        (await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM runbook_notices n, runbook_steps s WHERE n::text LIKE '%@example%' OR s.result::text LIKE '%@example%'")).Should().Be(0);
    }

    private sealed record Child(Process Process, string Url);

    private async Task<Child> StartAsync(VendorFakes fakes, string? holdAfter)
    {
        var url = $"http://127.0.0.1:{LocalPostgresCluster.FreePort()}";
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__IncidentDesk"] = database.ConnectionString,
            ["Urls"] = url,
            ["Auth__ApiKeys__0__Name"] = "crash",
            ["Auth__ApiKeys__0__KeyHash"] = ApiKey.Hash(Key),
            ["Auth__ApiKeys__0__Role"] = Roles.Admin,
            ["Paths__Runbooks"] = RepoPaths.Runbooks,
            ["Scheduler__CheckinInterval"] = "00:00:01",
            ["Scheduler__CheckinMisfireThreshold"] = "00:00:02",
            ["Runbooks__Testing__HoldAfterSideEffect"] = holdAfter,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in RunbookTestKit.Settings(fakes, smtp.SmtpPort))
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = CliProcess.Start(["serve"], environment);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var http = new HttpClient();
        await Eventually.Until(async () =>
        {
            try
            {
                return (await http.GetAsync($"{url}/readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(60), "incidentdesk ready");
        return new Child(process, url);
    }

    private static async Task<long> OpenAndAcknowledgeAsync(string url, Dictionary<string, string> labels)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var created = await client.PostAsJsonAsync("/api/v1/incidents", new { title = "Crash test", severity = "high", labels });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>Resolved incidents run no more automated steps: the next test's process (same database) must not pick this one's up.</summary>
    private static async Task ResolveAsync(string url, long id)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { by = "lena" })).EnsureSuccessStatusCode();
    }

    private async Task<string?> StepStatusAsync(long id, string step)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT status FROM runbook_steps WHERE incident_id = @id AND step_id = @step", new { id, step });
    }
}

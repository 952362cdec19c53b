using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Runbooks.Fakes;
using Microsoft.Extensions.Time.Testing;
using static IncidentDesk.IntegrationTests.Runbooks.RunbookTestKit;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>
/// The issue's whole chain: Alertmanager alert → incident → ack → customer notice (read back from smtp4dev) →
/// Jira issue priority High, followed → feature flag rolled back and verified → resolved → review.
/// The page in between belongs to the paging core; here the acknowledgment comes through the API.
/// </summary>
public sealed class RunbookEndToEndTests(TestDatabase database, Smtp4devServer smtp) : IClassFixture<TestDatabase>, IClassFixture<Smtp4devServer>
{
    private static readonly string[] Whys = ["Tickets were dropped", "The sync ignored paging", "The test data had one page"];

    [PostgresFact]
    public async Task An_alert_is_driven_through_its_runbook_to_a_review_with_the_right_timeline_and_durations()
    {
        await using var fakes = await VendorFakes.StartAsync();
        fakes.AddCustomer("101", "9001", "Erika Mustermann", "erika@example.de", "de");
        fakes.AddCustomer("102", "9002", "John Smith", "john@example.com", "en-US");
        fakes.UnleashFlags["default/new-zendesk-sync/production"] = true;
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        // The ticket sources' accounts serve the runbooks when they have none of their own.
        await using var service = await TestService.StartAsync(database, Settings(fakes, smtp.SmtpPort, vendorSection: "Ticketing"), time);
        using var client = service.Client(TestService.AdminKey);

        // 1. Detect: Alertmanager fires; the labels pick the runbook, name the flag and the affected tickets.
        var alert = new
        {
            version = "4",
            groupKey = "g",
            status = "firing",
            receiver = "incidentdesk",
            alerts = new[]
            {
                new
                {
                    status = "firing",
                    labels = new Dictionary<string, string>
                    {
                        ["alertname"] = "ToolRolloutFailed", ["severity"] = "critical", ["flag"] = "new-zendesk-sync",
                        ["tickets"] = "101,102", ["produkt"] = "Zendesk-Anbindung",
                    },
                    annotations = new Dictionary<string, string> { ["summary"] = "New Zendesk sync drops tickets" },
                    fingerprint = "e2e-rollout",
                },
            },
        };
        (await client.PostAsJsonAsync("/api/v1/alerts", alert)).StatusCode.Should().Be(HttpStatusCode.OK);
        var id = (await client.GetFromJsonAsync<JsonElement>("/api/v1/incidents")).EnumerateArray().Single().GetProperty("id").GetInt64();
        var detail = await DetailAsync(client, id);
        detail.GetProperty("runbook").GetString().Should().Be("tool-rollout-failure");
        Step(detail, "acknowledge").GetProperty("dueAt").GetDateTimeOffset().Should().Be(start.AddMinutes(15));
        Step(detail, "rollback-flag").GetProperty("guidance").GetString().Should().Contain("previous state is recorded");

        // Nothing automated runs before a person owns the incident.
        time.Advance(TimeSpan.FromMinutes(4));
        await Task.Yield();
        fakes.JiraIssues.Should().BeEmpty();

        // 2. First response: acknowledged 4 minutes after opening.
        using var lead = service.Client(TestService.ShiftLeadKey);
        (await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).StatusCode.Should().Be(HttpStatusCode.OK);
        Status(await DetailAsync(client, id), "acknowledge").Should().Be("done");

        // 3–4. Communicate, escalate, roll back: the driver runs them as the clock moves.
        detail = await AdvanceUntil(time, () => DetailAsync(client, id),
            d => Status(d, "notify-customers") == "done" && Status(d, "escalate-to-tech") == "done" && Status(d, "rollback-flag") == "done",
            "the automated steps done");

        // The same mail server also carries the shift lead's pages (Message-ID = the page's idempotency key).
        var all = await smtp.MessagesAsync();
        var mails = all.Where(m => (m.MessageId ?? "").Contains(".notify-customers.", StringComparison.Ordinal)).ToList();
        all.Except(mails).Should().OnlyContain(m => (m.MessageId ?? "").StartsWith($"i{id}.", StringComparison.Ordinal), "every other mail is a page for this incident");
        mails.Should().HaveCount(2, "one notice per affected customer");
        var german = mails.Single(m => m.To.Mailboxes.Single().Address == "erika@example.de");
        german.Subject.Should().Be("Störung bei Zendesk-Anbindung – Ihr Ticket 101");
        // ETA = the step's first run (a minute or so after the acknowledgment) + the runbook's 1h, in the customers' time zone.
        var eta = Step(detail, "notify-customers").GetProperty("result").GetProperty("eta").GetDateTimeOffset();
        eta.Should().BeCloseTo(start.AddMinutes(4).AddHours(1), TimeSpan.FromMinutes(5));
        var berlin = TimeZoneInfo.ConvertTime(eta, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        german.TextBody.Should().Contain("Guten Tag Erika Mustermann").And.Contain("Ticket 101")
            .And.Contain($"Wir rechnen mit einer Lösung bis {berlin:dd.MM.yyyy, HH:mm} Uhr (Europe/Berlin).").And.NotContain("{{");
        german.MessageId.Should().Be($"incident-{id}.notify-customers.t101.email.v1@incidentdesk");
        var english = mails.Single(m => m.To.Mailboxes.Single().Address == "john@example.com");
        english.Subject.Should().Be("Disruption of Zendesk-Anbindung – your ticket 102");
        english.TextBody.Should().Contain("Hello John Smith").And.Contain($"We expect it to be resolved by {berlin:yyyy-MM-dd HH:mm} (Europe/Berlin).");
        fakes.ZendeskComments["101"].Should().ContainSingle().Which.Should().Contain("Zendesk-Anbindung").And.Contain("(Ref. incident-");
        fakes.ZendeskComments["102"].Should().ContainSingle();
        var zendeskAuth = "Basic " + Convert.ToBase64String("desk@example.com/token:zendesk-token"u8.ToArray());
        fakes.Requests.Where(r => r.Request.StartsWith("GET /api/v2/users", StringComparison.Ordinal)).Should().OnlyContain(r => r.Authorization == zendeskAuth);

        // Acceptance test 2: the escalation reaches tech with priority High, and its status is followed.
        var issue = fakes.JiraIssues.Should().ContainSingle().Subject;
        var fields = issue.Value["fields"]!;
        fields["priority"]!["name"]!.GetValue<string>().Should().Be("High");
        fields["project"]!["key"]!.GetValue<string>().Should().Be("TECH");
        fields["summary"]!.GetValue<string>().Should().Be($"[Incident {id}] New Zendesk sync drops tickets");
        Step(detail, "escalate-to-tech").GetProperty("result").GetProperty("jiraKey").GetString().Should().Be(issue.Key);
        fakes.JiraStatus[issue.Key] = "In Progress";
        detail = await AdvanceUntil(time, () => DetailAsync(client, id),
            d => Timeline(d).Any(e => e.Kind == "escalation-status" && e.Message.EndsWith("'In Progress'", StringComparison.Ordinal)),
            "the Jira status change on the timeline", TimeSpan.FromSeconds(10));
        // The first look may have seen the new issue's 'To Do' before the tech team picked it up.
        Timeline(detail).Where(e => e.Kind == "escalation-status").Select(e => e.Message).Should().BeSubsetOf(
            [$"Jira issue {issue.Key} is now 'To Do'", $"Jira issue {issue.Key} is now 'In Progress'"]).And.OnlyHaveUniqueItems();

        // Rollback plan: flag off, previous state recorded, verified; the incident is mitigating.
        fakes.UnleashFlags["default/new-zendesk-sync/production"].Should().BeFalse();
        var rollback = Step(detail, "rollback-flag").GetProperty("result");
        rollback.GetProperty("previous").GetBoolean().Should().BeTrue();
        rollback.GetProperty("verified").GetBoolean().Should().BeTrue();
        detail.GetProperty("incident").GetProperty("status").GetString().Should().Be("mitigating");
        fakes.Requests.Should().Contain(r => r.Request == "POST /api/admin/projects/default/features/new-zendesk-sync/environments/production/off" && r.Authorization == "unleash-admin-token");

        // The manual step, completed through the CLI, then resolution 50 minutes after opening.
        var cli = await CliProcess.RunAsync(["step", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "verify-previous-state", "--done", "--by", "tom",
            "--url", service.BaseAddress.ToString(), "--api-key", TestService.EngineerKey]);
        cli.ExitCode.Should().Be(0, cli.StdErr);
        time.SetUtcNow(start.AddMinutes(50));
        (await lead.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { by = "lena", message = "sync rolled back, tickets flow again" })).StatusCode.Should().Be(HttpStatusCode.OK);

        // 5. Follow-up: the review, edited through the API and read as Markdown through the CLI.
        (await client.PatchAsJsonAsync($"/api/v1/incidents/{id}/review", new
        {
            summary = "The new Zendesk sync dropped tickets for 50 minutes.",
            whys = Whys,
            rootCause = "Pagination not handled",
            lessonsLearned = "Test with production-sized data",
            knowledgeBase = "KB-12 updated: how to roll back the sync",
            by = "tom",
        })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items", new { title = "Paginate the sync", owner = "tom", due = "2026-12-08" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var review = await CliProcess.RunAsync(["review", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--url", service.BaseAddress.ToString(), "--api-key", TestService.ManagerKey]);
        review.ExitCode.Should().Be(0, review.StdErr);
        var markdown = review.StdOut;
        markdown.Should().Contain($"# Post-incident review: incident {id} – New Zendesk sync drops tickets")
            .And.Contain("| time to acknowledge | 4m 00s |")
            .And.Contain("| time to resolve | 50m 00s |")
            .And.Contain("- Customer messages sent: 2 e-mail(s), 2 ticket comment(s)")
            .And.Contain($"- Escalated to tech: Jira {issue.Key} (priority High, status In Progress)")
            .And.Contain("- Feature flag new-zendesk-sync rolled back (was on)")
            .And.Contain("2. Why? The sync ignored paging")
            .And.Contain("| Paginate the sync | tom | 2026-12-08 | open |")
            .And.Contain("| 2026-12-01 09:04:00 | lena | acknowledged: acknowledged by lena via api |")
            .And.Contain("| 2026-12-01 09:50:00 | lena | resolved: sync rolled back, tickets flow again |");
        // Mitigation is the verified rollback: the move to 'mitigating' shortly after the acknowledgment.
        var mitigatedAt = detail.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "mitigating").GetProperty("at").GetDateTimeOffset();
        mitigatedAt.Should().BeAfter(start.AddMinutes(4)).And.BeBefore(start.AddMinutes(10));
        markdown.Should().Contain($"| time to mitigate | {IncidentDesk.Reviews.ReviewService.Span(mitigatedAt - start)} |");

        // Publishing the review is its step; the lifecycle ends at reviewed.
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/review/complete", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
        detail = await DetailAsync(client, id);
        detail.GetProperty("incident").GetProperty("status").GetString().Should().Be("reviewed");
        Status(detail, "review").Should().Be("done");
        (await client.GetStringAsync($"/api/v1/incidents/{id}/review")).Should().Contain("- Review: published by tom");

        var metrics = await service.Client().GetStringAsync("/metrics");
        metrics.Should().Contain("incidentdesk_incident_time_to_acknowledge_seconds_bucket").And.Contain("incidentdesk_incident_time_to_resolve_seconds_count");
    }
}

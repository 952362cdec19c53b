using System.Globalization;
using System.Text.RegularExpressions;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Observability;
using IncidentDesk.Sla;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary>The handbook's acceptance criteria (DOMAIN.md), each as a named test on data in the real PostgreSQL.</summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class SlaAcceptanceCriteriaTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);

    private static SlaResult Only(SlaEvaluator.CycleReport report) => report.Results.Should().ContainSingle().Subject;

    [PostgresFact]
    public async Task Channel_X_answers_within_Y_minutes_in_80_percent_of_cases()
    {
        await using var s = await SlaScenario.CreateAsync(Now);
        // Chat, Y = 5 minutes: 8 of 10 answered within 5 minutes.
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", Now.AddMinutes(-30 - i), Now.AddMinutes(-30 - i + (i < 8 ? 4 : 6)))).ToList());
        var rules = SlaScenario.Rules("""
              - name: chat
                kind: response_within
                scope: { channels: [chat] }
                window: 1h
                within: 5m
                target: 80%
                min_samples: 10
            """);
        Only(await s.EvaluateAsync(rules)).Should().BeEquivalentTo(new { Value = 0.8, Status = SlaStatus.Ok });
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("chat", Now.AddMinutes(-20), Now.AddMinutes(-10)));
        Only(await s.EvaluateAsync(rules)).Status.Should().Be(SlaStatus.Breached, "8 of 11 is below 80 %");
    }

    [PostgresFact]
    public async Task First_response_time_stays_below_Z_hours()
    {
        await using var s = await SlaScenario.CreateAsync(Now);
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("email", Now.AddHours(-30 - i), Now.AddHours(-30 - i + 1), priority: "critical")).ToList());
        var rules = SlaScenario.Rules("""
              - name: critical-under-2h
                kind: first_response_time
                scope: { priorities: [critical] }
                per_channel: false
                window: 7d
                within: 2h
                target: 1.0
                min_samples: 5
            """);
        Only(await s.EvaluateAsync(rules)).Status.Should().Be(SlaStatus.Ok);
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("email", Now.AddHours(-4), null, priority: "critical")); // unanswered for 4 h
        Only(await s.EvaluateAsync(rules)).Should().BeEquivalentTo(new { Samples = 11L, Status = SlaStatus.Breached });
    }

    [PostgresFact]
    public async Task Csat_is_measured_and_stable_or_improving()
    {
        await using var s = await SlaScenario.CreateAsync(Now);
        var tickets = Enumerable.Range(0, 40).Select(i => s.Ticket("email", Now.AddDays(-13).AddHours(i), Now.AddDays(-13).AddHours(i).AddMinutes(5))).ToList();
        // Previous week 16/20 good (80 %), this week 18/20 good (90 %): improving.
        var ratings = tickets.Select((t, i) => new ContactRating(t.Source, t.ExternalId, i < 20 ? i >= 4 : i >= 22,
            i < 20 ? Now.AddDays(-10).AddHours(i) : Now.AddDays(-3).AddHours(i))).ToList();
        await s.IngestAsync(tickets, ratings);
        var result = Only(await s.EvaluateAsync(SlaScenario.Rules("""
              - name: csat
                kind: csat
                per_channel: false
                window: 7d
                target: 0.85
                min_samples: 20
            """)));
        result.Value.Should().BeApproximately(0.9, 1e-9);
        result.Detail["trend"].Should().Be("improving");
        result.Status.Should().Be(SlaStatus.Ok);
    }

    [PostgresFact]
    public async Task Agent_error_escalations_stay_below_5_percent_of_tickets()
    {
        await using var s = await SlaScenario.CreateAsync(Now);
        await s.IngestAsync(Enumerable.Range(0, 40).Select(i => s.Ticket("web", Now.AddHours(-i - 1), Now.AddHours(-i - 1).AddMinutes(3), agentError: i == 0)).ToList());
        var rules = SlaScenario.Rules("""
              - name: agent-errors
                kind: agent_error_escalations
                per_channel: false
                window: 7d
                target: 5%
                min_samples: 20
            """);
        Only(await s.EvaluateAsync(rules)).Should().BeEquivalentTo(new { Value = 0.025, Status = SlaStatus.Ok });
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("web", Now.AddMinutes(-5), null, agentError: true));
        Only(await s.EvaluateAsync(rules)).Status.Should().Be(SlaStatus.Ok, "2 of 41 = 4.9 % is still below 5 %");
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("web", Now.AddMinutes(-4), null, agentError: true));
        Only(await s.EvaluateAsync(rules)).Status.Should().Be(SlaStatus.Breached, "3 of 42 = 7.1 %");
    }

    [PostgresFact]
    public async Task Twenty_four_seven_is_not_needed_when_at_most_5_percent_of_contacts_are_outside_business_hours()
    {
        await using var s = await SlaScenario.CreateAsync(Now);
        // Wed 2 Dec 2026: 19 contacts at 10:00–12:00 CET, 1 at 22:00 CET the night before (5 %).
        var contacts = Enumerable.Range(0, 19).Select(i => s.Ticket("email", new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero).AddMinutes(i * 5), null, status: "solved")).ToList();
        contacts.Add(s.Ticket("email", new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero), null, status: "solved"));
        await s.IngestAsync(contacts);
        var result = Only(await s.EvaluateAsync(SlaScenario.Rules("""
              - name: coverage
                kind: out_of_hours_share
                per_channel: false
                window: 7d
                target: 0.05
                calendar: office
                min_samples: 20
            """)));
        result.Detail["decision"].Should().Be(CoverageDecision.No247);
        result.Summary.Should().Contain("no 24/7: focus on core hours");
    }

    /// <summary>Handbook acceptance test (1), through the running service: Quartz fires the evaluation, /metrics shows it.</summary>
    [PostgresFact]
    public async Task A_ticket_opened_via_messenger_is_created_and_its_response_time_is_recorded()
    {
        var alerts = Directory.CreateTempSubdirectory("sla-alerts-");
        try
        {
            var rule = "messenger-" + Guid.NewGuid().ToString("N")[..8];
            await File.WriteAllTextAsync(Path.Combine(alerts.FullName, SlaRulesFile.FileName), $"""
                rules:
                  - name: {rule}
                    kind: response_within
                    scope:
                      channels: ["messenger:telegram"]
                    window: 4h
                    within: 15m
                    target: 0.8
                    min_samples: 1
                """);
            var time = new FakeTimeProvider(Now);
            await using var service = await TestService.StartAsync(database, new Dictionary<string, string?>
            {
                ["Paths:Alerts"] = alerts.FullName,
                ["Sla:EvaluationInterval"] = "00:01:00",
            }, time);
            using var http = service.Client();
            var histogramBefore = HistogramCount(await http.GetStringAsync("/metrics"));

            var store = new ContactStore(database.DataSource, time);
            await store.CommitPageAsync("zendesk", null, [new Contact
            {
                Source = "zendesk", ExternalId = "tg-1", Channel = Channels.Telegram, Priority = "high", Status = "open",
                CreatedAt = Now.AddMinutes(-20), FirstResponseAt = Now.AddMinutes(-12), SourceUpdatedAt = Now,
            }], [], default);

            time.Advance(TimeSpan.FromMinutes(1));
            await Eventually.Until(() => Results(rule), n => n >= 1, what: "the first evaluation by the Quartz job");
            time.Advance(TimeSpan.FromMinutes(1));
            await Eventually.Until(() => Results(rule), n => n >= 2, what: "the second evaluation");

            var metrics = await http.GetStringAsync("/metrics");
            metrics.Should().Contain($"incidentdesk_sla_compliance_ratio{{rule=\"{rule}\",channel=\"messenger:telegram\"}} 1");
            metrics.Should().Contain($"incidentdesk_sla_samples{{rule=\"{rule}\",channel=\"messenger:telegram\"}} 1");
            metrics.Should().Contain($"incidentdesk_sla_breached{{rule=\"{rule}\",channel=\"messenger:telegram\"}} 0");
            HistogramCount(metrics).Should().Be(histogramBefore + 1, "the response time (8 minutes) is observed once, not once per evaluation");
            metrics.Should().MatchRegex("incidentdesk_first_response_seconds_bucket\\{channel=\"messenger:telegram\",le=\"900\"\\} [1-9]");
        }
        finally
        {
            alerts.Delete(recursive: true);
        }
    }

    private async Task<long> Results(string rule)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM sla_results WHERE rule = @rule", connection);
        command.Parameters.AddWithValue("rule", rule);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double HistogramCount(string metrics) =>
        PromQl.SampleValue(metrics, "incidentdesk_first_response_seconds_count{channel=\"messenger:telegram\"}");
}

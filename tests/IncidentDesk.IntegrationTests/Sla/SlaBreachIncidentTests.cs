using IncidentDesk.Incidents;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Sla;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary>A breach opens exactly one incident per rule and scope; repeats add nothing; a sustained recovery is recorded.</summary>
public sealed class SlaBreachIncidentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Rule = """
          - name: chat-reachability
            kind: response_within
            scope: { channels: [chat, email] }
            window: 1h
            within: 5m
            target: 0.8
            min_samples: 5
            severity: critical
            recover_after: 10m
        """;

    [PostgresFact]
    public async Task A_breach_opens_one_incident_repeats_add_nothing_and_recovery_is_recorded()
    {
        await using var s = await SlaScenario.CreateAsync(T0);
        var rules = SlaScenario.Rules(Rule);
        // Chat: 10 tickets in the last hour, 4 answered late → 60 % < 80 %. Email: all on time.
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", T0.AddMinutes(-50 + i), T0.AddMinutes(-50 + i + (i < 4 ? 20 : 1)))).ToList());
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("email", T0.AddMinutes(-50 + i), T0.AddMinutes(-49 + i))).ToList());

        var first = await s.EvaluateAsync(rules);
        first.IncidentsOpened.Should().Be(1, "only chat is breached");
        for (var i = 0; i < 3; i++)
        {
            s.Time.Advance(TimeSpan.FromMinutes(1));
            (await s.EvaluateAsync(rules)).IncidentsOpened.Should().Be(0, "the breach is the same episode");
        }

        var incident = (await s.Incidents.ListAsync("open", 10, default)).Should().ContainSingle().Subject;
        incident.DedupKey.Should().Be("sla:chat-reachability:chat");
        incident.Source.Should().Be("sla");
        incident.Severity.Should().Be("critical");
        incident.SignalCount.Should().Be(1);
        incident.Labels.Should().Contain(new Dictionary<string, string>
        {
            ["rule"] = "chat-reachability",
            ["kind"] = "response_within",
            ["channel"] = "chat",
            ["value"] = "0.6",
            ["target"] = "0.8",
            ["runbook"] = "sla-response-within",
        });
        incident.Summary.Should().Contain("60.0 %").And.Contain("80.0 %");

        // Twenty fast chats arrive: 24 of 30 = 80 % → within target. Recovery needs 10 minutes of it.
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(Enumerable.Range(0, 20).Select(i => s.Ticket("chat", s.Now.AddMinutes(-20 + i * 0.5), s.Now.AddMinutes(-19 + i * 0.5))).ToList());
        (await s.EvaluateAsync(rules)).RecoveriesRecorded.Should().Be(0);
        s.Time.Advance(TimeSpan.FromMinutes(9));
        (await s.EvaluateAsync(rules)).RecoveriesRecorded.Should().Be(0, "9 minutes within target is not 10");
        s.Time.Advance(TimeSpan.FromMinutes(1));
        var recovered = await s.EvaluateAsync(rules);
        recovered.RecoveriesRecorded.Should().Be(1);
        (await s.EvaluateAsync(rules)).RecoveriesRecorded.Should().Be(0, "recovery is recorded once per episode");

        var timeline = await s.Incidents.TimelineAsync(incident.Id, default);
        timeline.Select(e => e.Kind).Should().Equal("triggered", "recovered");
        (await s.Incidents.GetAsync(incident.Id, default))!.Status.Should().Be(IncidentStatus.Triggered, "resolution stays with people");
        (await s.QueryAsync<long>("SELECT count(*) FROM incidents")).Single().Should().Be(1);
    }

    [PostgresFact]
    public async Task A_new_breach_after_recovery_signals_the_still_open_incident_instead_of_opening_another()
    {
        await using var s = await SlaScenario.CreateAsync(T0);
        var rules = SlaScenario.Rules(Rule.Replace("recover_after: 10m", "recover_after: 1m", StringComparison.Ordinal));
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", T0.AddMinutes(-50 + i), T0.AddMinutes(-30 + i))).ToList());
        (await s.EvaluateAsync(rules)).IncidentsOpened.Should().Be(1);

        // The window slides past the late tickets and fast ones arrive: recovered.
        s.Time.Advance(TimeSpan.FromMinutes(45));
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", s.Now.AddMinutes(-10 + i), s.Now.AddMinutes(-10 + i).AddSeconds(30))).ToList());
        await s.EvaluateAsync(rules);
        s.Time.Advance(TimeSpan.FromMinutes(1));
        (await s.EvaluateAsync(rules)).RecoveriesRecorded.Should().Be(1);

        // Late again.
        s.Time.Advance(TimeSpan.FromMinutes(30));
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", s.Now.AddMinutes(-25 + i), s.Now.AddMinutes(-10 + i))).ToList());
        (await s.EvaluateAsync(rules)).IncidentsOpened.Should().Be(1);

        var incident = (await s.Incidents.ListAsync(null, 10, default)).Should().ContainSingle().Subject;
        incident.SignalCount.Should().Be(2, "the second episode joined the open incident (IncidentService deduplicates)");
        (await s.Incidents.TimelineAsync(incident.Id, default)).Select(e => e.Kind).Should().Equal("triggered", "recovered", "signal");
    }

    [PostgresFact]
    public async Task State_and_results_are_persisted_per_rule_and_channel()
    {
        await using var s = await SlaScenario.CreateAsync(T0);
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("chat", T0.AddMinutes(-50 + i), T0.AddMinutes(-50 + i + (i < 4 ? 20 : 1)))).ToList());
        var rules = SlaScenario.Rules(Rule);
        await s.EvaluateAsync(rules);
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.EvaluateAsync(rules);

        var results = await s.QueryAsync<(string Rule, string Channel, string Scope, DateTime WindowEnd, double? Value, double Target, long Samples, string Status)>(
            "SELECT rule, channel, scope, window_end, value, target, samples, status FROM sla_results ORDER BY window_end, channel");
        results.Should().Equal(
            ("chat-reachability", "chat", "channel=chat|email", T0.UtcDateTime, 0.6, 0.8, 10L, "breached"),
            ("chat-reachability", "email", "channel=chat|email", T0.UtcDateTime, null, 0.8, 0L, "insufficient_data"),
            ("chat-reachability", "chat", "channel=chat|email", T0.AddMinutes(1).UtcDateTime, 0.6, 0.8, 10L, "breached"),
            ("chat-reachability", "email", "channel=chat|email", T0.AddMinutes(1).UtcDateTime, null, 0.8, 0L, "insufficient_data"));
        var state = await s.QueryAsync<(string Channel, string Status, DateTime? BreachedSince, bool Raised)>(
            "SELECT channel, status, breached_since, incident_raised FROM sla_rule_state ORDER BY channel");
        state.Should().Equal(("chat", "breached", T0.UtcDateTime, true), ("email", "insufficient_data", null, false));
    }
}

using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Sla;
using IncidentDesk.Ticketing;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary>Each rule kind against hand-computed expectations on contacts in the real PostgreSQL.</summary>
public sealed class SlaRuleKindEvaluationTests
{
    private static DateTimeOffset Utc(int mo, int d, int h, int mi = 0) => new(2026, mo, d, h, mi, 0, TimeSpan.Zero);

    /// <summary>The handbook's telephony acceptance: 80 % within 20 s, at most 5 % abandoned.</summary>
    private const string PhoneRule = """
          - name: phone
            kind: phone_service_level
            scope: { channels: [phone] }
            window: 1h
            within: 20s
            target: 0.8
            max_abandon_rate: 0.05
            min_samples: 20
        """;

    private static SlaResult Single(SlaEvaluator.CycleReport report, string rule, string channel) =>
        report.Results.Should().ContainSingle(r => r.Rule.Name == rule && r.Channel == channel).Subject;

    [PostgresFact]
    public async Task Response_within_counts_business_time_across_a_weekend_and_the_DST_change_and_excludes_pauses()
    {
        // Monday 30 March 2026 11:00Z = 13:00 CEST; clocks went forward on Sunday 29 March.
        await using var s = await SlaScenario.CreateAsync(Utc(3, 30, 11));
        await s.IngestAsync(
            s.Ticket("email", Utc(3, 27, 16), Utc(3, 30, 8)),               // Fri 17:00 CET → Mon 10:00 CEST: 1 h + 1 h = 2 h business (64 h calendar) → hit
            s.Ticket("email", Utc(3, 27, 16), Utc(3, 30, 8, 30)),           // 1 h + 1.5 h = 2.5 h → miss
            s.Ticket("email", Utc(3, 28, 10), Utc(3, 30, 7, 30)),           // Saturday → Mon 09:30 CEST: 0.5 h → hit
            s.Ticket("email", Utc(3, 30, 7), Utc(3, 30, 10), onHold: 3600), // 3 h business minus 1 h on hold = 2 h → hit
            s.Ticket("email", Utc(3, 30, 8), null),                         // unanswered, 3 h business old → overdue miss
            s.Ticket("email", Utc(3, 30, 10, 30), null),                    // unanswered, 0.5 h old → not judged yet
            s.Ticket("email", Utc(3, 30, 7), null, paused: true),           // paused by the source → not judged
            s.Ticket("email", Utc(3, 30, 7), null, status: "pending"));     // waiting for the customer → not judged
        var rules = SlaScenario.Rules("""
              - name: business
                kind: response_within
                scope: { channels: [email] }
                window: 7d
                within: 2h
                target: 0.8
                basis: business
                calendar: office
                min_samples: 1
            """);

        var result = Single(await s.EvaluateAsync(rules), "business", "email");
        result.Samples.Should().Be(5);
        result.Value.Should().BeApproximately(3.0 / 5, 1e-9);
        result.Status.Should().Be(SlaStatus.Breached);

        var calendarRules = SlaScenario.Rules("""
              - name: wallclock
                kind: response_within
                scope: { channels: [email] }
                window: 7d
                within: 2h
                target: 0.8
                min_samples: 1
            """);
        // Calendar time: only the paused-then-answered ticket (3 h − 1 h) is within 2 h; the unanswered one is 3 h old.
        var wall = Single(await s.EvaluateAsync(calendarRules), "wallclock", "email");
        wall.Samples.Should().Be(5);
        wall.Value.Should().BeApproximately(1.0 / 5, 1e-9);
    }

    [PostgresFact]
    public async Task First_response_time_percentile_and_every_contact_within_the_threshold()
    {
        await using var s = await SlaScenario.CreateAsync(Utc(12, 1, 12));
        var contacts = Enumerable.Range(0, 20).Select(i =>
            s.Ticket("email", Utc(11, 30, 0).AddMinutes(i), Utc(11, 30, 0).AddMinutes(i).AddHours(i < 18 ? 3 : 5), priority: "high")).ToList();
        contacts.Add(s.Ticket("email", Utc(11, 30, 1), Utc(11, 30, 9), priority: "low")); // other priority: out of scope
        await s.IngestAsync(contacts);
        var rules = SlaScenario.Rules("""
              - name: p90
                kind: first_response_time
                scope: { priorities: [high], channels: [email] }
                per_channel: false
                window: 2d
                within: 4h
                target: 0.9
                min_samples: 20
              - name: every
                kind: response_within
                scope: { priorities: [high], channels: [email] }
                per_channel: false
                window: 2d
                within: 4h
                target: 1.0
                min_samples: 20
            """);

        var report = await s.EvaluateAsync(rules);
        var p90 = Single(report, "p90", "all");
        p90.Should().BeEquivalentTo(new { Samples = 20L, Status = SlaStatus.Ok });
        p90.Value.Should().BeApproximately(0.9, 1e-9, "18 of 20 within 4 h: the 90th percentile is below 4 h");
        var every = Single(report, "every", "all");
        every.Status.Should().Be(SlaStatus.Breached, "every contact must be within 4 h and 2 are not");
    }

    [PostgresFact]
    public async Task Csat_compares_with_the_previous_window()
    {
        await using var s = await SlaScenario.CreateAsync(Utc(12, 15, 12));
        var tickets = Enumerable.Range(0, 40).Select(i => s.Ticket("chat", Utc(12, 1, 9).AddHours(i), Utc(12, 1, 9).AddHours(i).AddMinutes(1))).ToList();
        // Previous window (1–8 Dec): 18 of 20 good = 90 %. Current window (8–15 Dec): 17 of 20 good = 85 %.
        var ratings = tickets.Select((t, i) => new ContactRating(t.Source, t.ExternalId,
            Good: i < 20 ? i >= 2 : i >= 23, i < 20 ? Utc(12, 2, 10).AddHours(i) : Utc(12, 9, 10).AddHours(i))).ToList();
        await s.IngestAsync(tickets, ratings);

        var strict = await s.EvaluateAsync(SlaScenario.Rules("""
              - name: csat
                kind: csat
                window: 7d
                target: 0.8
                tolerance: 0.03
                min_samples: 20
            """));
        var falling = Single(strict, "csat", "chat");
        falling.Value.Should().BeApproximately(0.85, 1e-9);
        falling.Detail["previous_value"].Should().Be(0.9);
        falling.Detail["trend"].Should().Be("falling");
        falling.Status.Should().Be(SlaStatus.Breached, "85 % meets the 80 % target but fell 5 points, beyond the 3-point tolerance");

        var tolerant = Single(await s.EvaluateAsync(SlaScenario.Rules("""
              - name: csat-tolerant
                kind: csat
                window: 7d
                target: 0.8
                tolerance: 0.05
                min_samples: 20
            """)), "csat-tolerant", "chat");
        tolerant.Status.Should().Be(SlaStatus.Ok);
    }

    [PostgresFact]
    public async Task Agent_error_escalations_are_a_share_of_all_tickets()
    {
        await using var s = await SlaScenario.CreateAsync(Utc(12, 2, 12));
        await s.IngestAsync(Enumerable.Range(0, 100).Select(i => s.Ticket("email", Utc(12, 1, 0).AddMinutes(i * 10), Utc(12, 1, 1).AddMinutes(i * 10), agentError: i < 4)).ToList());
        var rules = SlaScenario.Rules("""
              - name: agent-errors
                kind: agent_error_escalations
                per_channel: false
                window: 7d
                target: 0.05
                min_samples: 50
            """);
        var ok = Single(await s.EvaluateAsync(rules), "agent-errors", "all");
        ok.Should().BeEquivalentTo(new { Samples = 100L, Status = SlaStatus.Ok });
        ok.Value.Should().BeApproximately(0.04, 1e-9);

        // Two more tickets, both escalated because of agent errors: 6 of 102 = 5.9 %.
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("email", Utc(12, 2, 11), Utc(12, 2, 11, 30), agentError: true), s.Ticket("email", Utc(12, 2, 11), null, agentError: true));
        var breached = Single(await s.EvaluateAsync(rules), "agent-errors", "all");
        breached.Samples.Should().Be(102);
        breached.Status.Should().Be(SlaStatus.Breached);
    }

    [PostgresFact]
    public async Task Phone_service_level_and_abandonment()
    {
        await using var s = await SlaScenario.CreateAsync(Utc(12, 1, 12));
        var calls = new List<Contact>();
        var t = Utc(12, 1, 11, 5);
        for (var i = 0; i < 16; i++)
            calls.Add(s.Call(t.AddMinutes(i), answered: true, waitSeconds: 5 + i)); // ≤ 20 s
        calls.Add(s.Call(t.AddMinutes(20), answered: true, waitSeconds: 45));
        calls.Add(s.Call(t.AddMinutes(21), answered: true, waitSeconds: 21));
        calls.Add(s.Call(t.AddMinutes(22), answered: false, waitSeconds: 60, abandoned: true));
        calls.Add(s.Call(t.AddMinutes(23), answered: false, waitSeconds: 90, abandoned: true));
        calls.Add(s.Call(t.AddMinutes(24), answered: false, waitSeconds: 0)); // no outcome (still ringing): not offered yet
        calls.Add(s.Call(Utc(12, 1, 10, 30), answered: true, waitSeconds: 200)); // before the 1 h window
        await s.IngestAsync(calls);
        var rules = SlaScenario.Rules(PhoneRule);
        var result = Single(await s.EvaluateAsync(rules), "phone", "phone");
        result.Samples.Should().Be(20);
        result.Value.Should().BeApproximately(16.0 / 20, 1e-9, "16 of 20 offered calls answered within 20 s");
        result.Detail["abandon_rate"].Should().Be(0.1);
        result.Status.Should().Be(SlaStatus.Breached, "the service level is met but 10 % abandonment exceeds 5 %");
    }

    [PostgresFact]
    public async Task Phone_service_level_of_a_queue_that_reports_waits_only_in_aggregate_comes_from_its_statistics()
    {
        // Twilio: the Calls list has no wait, TaskRouter's cumulative statistics have "answered within N s".
        await using var s = await SlaScenario.CreateAsync(Utc(12, 1, 12));
        static QueueStatistics Window(DateTimeOffset start, int accepted, int canceled, int below20) => new(
            "twilio", "WQ1", start, start.AddMinutes(15), accepted + canceled, canceled, accepted, 12, 90, 12.0 * accepted,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["20"] = new
                {
                    below = new { reservations_accepted = below20, tasks_canceled = 0 },
                    above = new { reservations_accepted = accepted - below20, tasks_canceled = canceled },
                },
            }));
        var twilioCalls = Enumerable.Range(0, 30).Select(i => s.Call(Utc(12, 1, 11).AddMinutes(i), answered: true, waitSeconds: 0) with { Source = "twilio", WaitSeconds = null }).ToList();
        var windows = new List<QueueStatistics>
        {
            Window(Utc(12, 1, 10, 30), 50, 0, 0),  // before the 1 h window
            Window(Utc(12, 1, 11), 10, 0, 9),
            Window(Utc(12, 1, 11, 15), 10, 1, 8),
            Window(Utc(12, 1, 11, 30), 10, 1, 7),
            Window(Utc(12, 1, 11, 45), 5, 0, 5) with { SplitByWaitTime = """{"60": {"below": {"reservations_accepted": 5}}}""" },  // not split at 20 s
        };
        var store = new ContactStore(s.Database.DataSource, s.Time);
        await store.CommitPageAsync("twilio", new SourcePage(twilioCalls, [], "c1", CaughtUp: true) { QueueStatistics = windows }, default);
        var rules = SlaScenario.Rules(PhoneRule);

        var result = Single(await s.EvaluateAsync(rules), "phone", "phone");
        result.Samples.Should().Be(32, "30 + 2 tasks with an outcome in the three windows split at 20 s; the calls themselves carry no wait");
        result.Value.Should().BeApproximately(24.0 / 32, 1e-9);
        ((double)result.Detail["abandon_rate"]!).Should().BeApproximately(2.0 / 32, 1e-9);
        result.Status.Should().Be(SlaStatus.Breached);
        (await s.NaiveAsync(rules, "phone", Utc(12, 1, 11)))["phone"].Samples.Should().Be(32, "the rollups count as the naive query does");

        // A window read again later, now split at 20 s, reaches the next cycle through its ingested_at; the hour now
        // starts at 11:01, after the start of the 11:00 window, which leaves it.
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await store.CommitPageAsync("twilio", new SourcePage([], [], "c2", CaughtUp: true) { QueueStatistics = [Window(Utc(12, 1, 11, 45), 8, 0, 8)] }, default);
        result = Single(await s.EvaluateAsync(rules), "phone", "phone");
        result.Samples.Should().Be(30);
        result.Value.Should().BeApproximately(23.0 / 30, 1e-9);
    }

    [PostgresFact]
    public async Task Out_of_hours_share_reports_the_decision_tree_outcome()
    {
        // Tue 1 Dec 2026. Business hours 09:00–18:00 CET = 08:00–17:00Z.
        await using var s = await SlaScenario.CreateAsync(Utc(12, 4, 12));
        var contacts = Enumerable.Range(0, 94).Select(i => s.Ticket("email", Utc(12, 1, 8).AddMinutes(i * 5), Utc(12, 1, 9).AddMinutes(i * 5))).ToList();
        contacts.Add(s.Ticket("email", Utc(12, 1, 20), null, status: "solved"));  // 21:00 CET
        contacts.Add(s.Ticket("chat", Utc(12, 2, 3), null, status: "solved"));    // 04:00 CET
        contacts.Add(s.Call(Utc(12, 1, 7, 59), answered: true, waitSeconds: 3));  // 08:59 CET, one minute early
        contacts.Add(s.Ticket("email", Utc(12, 1, 17), null, status: "solved"));  // 18:00 CET: closed
        contacts.Add(s.Ticket("email", Utc(12, 1, 16, 59), null, status: "solved")); // 17:59 CET: open
        contacts.Add(s.Ticket("web", Utc(12, 1, 22), null, priority: "high", status: "solved"));
        await s.IngestAsync(contacts);
        const string rule = """
              - name: coverage
                kind: out_of_hours_share
                per_channel: false
                window: 7d
                target: 0.05
                calendar: office
                min_samples: 50
            """;

        var hybrid = Single(await s.EvaluateAsync(SlaScenario.Rules(rule)), "coverage", "all");
        hybrid.Samples.Should().Be(100);
        hybrid.Value.Should().BeApproximately(0.05, 1e-9, "5 of 100 contacts fall outside 09:00–18:00 Berlin");
        hybrid.Detail["decision"].Should().Be(CoverageDecision.No247);
        hybrid.Status.Should().Be(SlaStatus.Ok, "up to 5 % needs no 24/7");

        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("email", Utc(12, 3, 23), null, status: "solved")); // Friday 00:00 CET
        var more = Single(await s.EvaluateAsync(SlaScenario.Rules(rule)), "coverage", "all");
        more.Value.Should().BeApproximately(6.0 / 101, 1e-9);
        more.Detail["decision"].Should().Be(CoverageDecision.Hybrid, "no critical contact outside business hours");

        s.Time.Advance(TimeSpan.FromMinutes(1));
        await s.IngestAsync(s.Ticket("phone", Utc(12, 4, 2), null, priority: "critical", status: "solved"));
        var critical = Single(await s.EvaluateAsync(SlaScenario.Rules(rule)), "coverage", "all");
        critical.Detail["decision"].Should().Be(CoverageDecision.Full247);
        critical.Detail["critical_out_of_hours"].Should().Be(1L);
    }

    [PostgresFact]
    public async Task Too_few_samples_and_an_empty_window_are_insufficient_data()
    {
        await using var s = await SlaScenario.CreateAsync(Utc(12, 1, 3, 30));
        // Two tickets at 3 a.m., both answered late.
        await s.IngestAsync(s.Ticket("email", Utc(12, 1, 2), Utc(12, 1, 3)), s.Ticket("email", Utc(12, 1, 2, 10), Utc(12, 1, 3, 10)));
        var report = await s.EvaluateAsync(SlaScenario.Rules("""
              - name: night
                kind: response_within
                scope: { channels: [email, chat] }
                window: 24h
                within: 15m
                target: 0.8
                min_samples: 10
            """));
        var email = Single(report, "night", "email");
        email.Should().BeEquivalentTo(new { Samples = 2L, Status = SlaStatus.InsufficientData });
        email.Value.Should().Be(0);
        var chat = Single(report, "night", "chat");
        chat.Should().BeEquivalentTo(new { Samples = 0L, Value = (double?)null, Status = SlaStatus.InsufficientData });
        report.IncidentsOpened.Should().Be(0);
        (await s.QueryAsync<long>("SELECT count(*) FROM incidents")).Single().Should().Be(0);
    }
}

using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Ticketing;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.ZendeskFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service polling a Zendesk fake into the real PostgreSQL (a fresh database per test: cursors must not carry over).</summary>
public sealed class ZendeskIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task A_ticket_opened_via_a_messenger_is_ingested_with_its_messenger_channel_and_first_response_time()
    {
        await using var fake = await StartFake();
        fake.Add([
            new FakeTicket(101, T0, T0.AddMinutes(20), "open", "urgent", "telegram", [], ReplyCalendarMinutes: 12, ReplyBusinessMinutes: 5),
            // Zendesk's own messaging carries the messenger only in a tag here; the configured map names it.
            new FakeTicket(102, T0, T0.AddMinutes(21), "solved", "normal", "native_messaging", ["viber", "vip"], 3, 3, SolvedAt: T0.AddHours(1)),
            new FakeTicket(103, T0, T0.AddMinutes(22), "hold", "low", 4, ["escalated_to_tech", "agent_error"], null, null),
            new FakeTicket(104, T0, T0.AddMinutes(23), "pending", null, "instagram_dm", [], 30, 0),
        ]);
        fake.AddRating(101, "good", T0.AddHours(2));
        fake.AddRating(102, "offered", T0.AddHours(2));
        fake.AddRating(104, "bad", T0.AddHours(3));
        var settings = fake.Settings();
        settings["Ticketing:Zendesk:ChannelMap:viber"] = "messenger:viber";

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, channel, priority, status, first_response_seconds AS FirstResponseSeconds,
                       first_response_business_seconds AS BusinessSeconds, escalated_to_tech AS Tech, escalated_agent_error AS AgentError, solved_at AS SolvedAt
                FROM contacts WHERE source = 'zendesk' ORDER BY external_id
                """),
            r => r.Count == 4, what: "four Zendesk tickets ingested");

        rows.Should().BeEquivalentTo(new[]
        {
            new Row("101", "messenger:telegram", "critical", "open", 12 * 60, 5 * 60, false, false, null),
            new Row("102", "messenger:viber", "medium", "solved", 3 * 60, 3 * 60, false, false, T0.AddHours(1).UtcDateTime),
            new Row("103", "email", "low", "on_hold", null, null, true, true, null),
            new Row("104", "messenger:instagram", null, "pending", 30 * 60, 0, false, false, null),
        });
        var ratings = await Eventually.Until(
            () => Query<(string, string)>("SELECT external_id, rating FROM contact_ratings WHERE source = 'zendesk' ORDER BY external_id"),
            r => r.Count == 2, what: "ratings ingested");
        ratings.Should().Equal(("101", "good"), ("104", "bad"));

        // Nothing personal crossed over: the fake's subject, description and requester e-mail appear nowhere.
        var dump = string.Join("\n", await Query<string>("SELECT row_to_json(c)::text FROM contacts c"));
        dump.Should().NotContain("jane").And.NotContain("Cannot log in");
    }

    [PostgresFact]
    public async Task Zendesks_own_first_reply_SLA_verdicts_land_on_the_tickets_even_when_the_events_come_before_the_ticket()
    {
        await using var fake = await StartFake();
        fake.MetricEventsPageSize = 2; // several pages, each repeating the events at its end_time
        fake.Add([
            new FakeTicket(201, T0, T0.AddMinutes(30), "open", "high", "email", [], null, null),
            new FakeTicket(202, T0, T0.AddMinutes(31), "pending", "high", "email", [], null, null),
            new FakeTicket(203, T0, T0.AddMinutes(32), "solved", "high", "email", [], 5, 5),
        ]);
        var t = T0.AddSeconds(1);
        void Event(long ticket, string type, string metric = "reply_time", int instance = 1)
        {
            fake.AddMetricEvent(ticket, metric, type, t, instance);
            t = t.AddSeconds(1);
        }
        Event(201, "activate"); Event(201, "apply_sla"); Event(201, "breach");
        Event(202, "activate"); Event(202, "apply_sla"); Event(202, "pause");
        Event(203, "activate"); Event(203, "apply_sla"); Event(203, "fulfill");
        Event(203, "breach", metric: "agent_work_time");   // another metric: not the first-reply SLA
        Event(202, "breach", instance: 2);                  // the second reply's SLA: not the first reply's
        Event(204, "apply_sla"); Event(204, "breach");      // ticket 204 is not in the export yet; the last event, so every poll reads it again

        // The events export fails as Zendesk's endpoints do before it answers: nothing is lost or applied twice.
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("ticket_metric_events", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.Malformed("ticket_metric_events"));
        fake.Server.Faults.Enqueue(new Fault.Truncated("ticket_metric_events"));

        await using var service = await TestService.StartAsync(database, fake.Settings());
        const string sql = "SELECT external_id, sla_breached, sla_paused FROM contacts WHERE source = 'zendesk' ORDER BY external_id";
        var rows = await Eventually.Until(() => Query<(string, bool?, bool?)>(sql),
            r => r.Count == 3 && r.All(x => x.Item2 is not null), what: "SLA verdicts on the three tickets");
        rows.Should().Equal(("201", true, false), ("202", false, true), ("203", false, false));
        fake.Server.FaultsServed.Should().Be(3);

        fake.Add([new FakeTicket(204, T0, T0.AddMinutes(40), "open", "urgent", "web", [], null, null)]);
        rows = await Eventually.Until(() => Query<(string, bool?, bool?)>(sql), r => r.Count == 4, what: "ticket 204 ingested");
        rows[3].Should().Be(("204", true, null), "its breach arrived before the ticket and was kept for it");

        // Polling on changes nothing: the verdicts are not rewritten, so the contacts' ingested_at stays.
        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts WHERE source = 'zendesk'");
        const string polled = "SELECT cursor_updated_at FROM ingestion_sources WHERE source = 'zendesk:sla-events'";
        var lastPoll = (await Query<DateTime>(polled)).Single();
        await Eventually.Until(() => Query<DateTime>(polled), p => p.Single() > lastPoll.AddSeconds(1), what: "two more polls of the SLA events");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts WHERE source = 'zendesk'")).Should().Equal(before);
    }

    [PostgresFact]
    public async Task Every_ticket_arrives_exactly_once_through_429_500_timeouts_truncated_and_malformed_pages_and_a_repeating_cursor()
    {
        await using var fake = await StartFake();
        fake.PageSize = 40;
        fake.Add(Enumerable.Range(1, 230).Select(i =>
            new FakeTicket(1000 + i, T0.AddMinutes(i), T0.AddMinutes(i), "open", "high", i % 3 == 0 ? 29 : "email", [], i % 50, null)));
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("incremental/tickets", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.ServerError("incremental/tickets"));
        fake.Server.Faults.Enqueue(new Fault.Slow("incremental/tickets", TimeSpan.FromSeconds(5)));
        fake.Server.Faults.Enqueue(new Fault.Truncated("incremental/tickets"));
        fake.Server.Faults.Enqueue(new Fault.Malformed("incremental/tickets"));
        fake.RepeatCursorOnce = true;
        var malformedBefore = IngestionMetrics.SourceErrors.WithLabels("zendesk", "malformed").Value;
        var rateLimitedBefore = IngestionMetrics.SourceErrors.WithLabels("zendesk", "rate_limited").Value;
        var repeatingBefore = IngestionMetrics.SourceErrors.WithLabels("zendesk", "repeating_cursor").Value;

        await using var service = await TestService.StartAsync(database, fake.Settings());
        var ids = await Eventually.Until(
            () => Query<string>("SELECT external_id FROM contacts WHERE source = 'zendesk'"),
            r => r.Count == 230, TimeSpan.FromSeconds(60), "230 tickets ingested");

        ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1001, 230).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fake.Server.FaultsServed.Should().Be(5, "every injected fault was met");
        IngestionMetrics.SourceErrors.WithLabels("zendesk", "malformed").Value.Should().BeGreaterThanOrEqualTo(malformedBefore + 2, "truncated and malformed bodies");
        IngestionMetrics.SourceErrors.WithLabels("zendesk", "rate_limited").Value.Should().BeGreaterThan(rateLimitedBefore);
        IngestionMetrics.SourceErrors.WithLabels("zendesk", "repeating_cursor").Value.Should().BeGreaterThan(repeatingBefore);
        (await Query<string>("SELECT channel FROM contacts WHERE external_id = '1003'")).Single().Should().Be("chat", "via.channel 29 is chat");

        // Caught up: the next polls change nothing.
        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts");
        var requests = fake.Server.Requests.Count;
        await Eventually.Until(() => Task.FromResult(fake.Server.Requests.Count), n => n >= requests + 2, what: "two more polls");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts")).Should().Equal(before);
        (await Query<long>("SELECT count(*) FROM contacts")).Single().Should().Be(230);
    }

    public sealed record Row(string ExternalId, string Channel, string? Priority, string Status, int? FirstResponseSeconds, int? BusinessSeconds, bool Tech, bool AgentError, DateTime? SolvedAt);

    private static async Task<ZendeskFake> StartFake() => await ZendeskFake.StartAsync();

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

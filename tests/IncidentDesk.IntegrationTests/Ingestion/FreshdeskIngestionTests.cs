using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Ticketing;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.FreshdeskFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service polling a Freshdesk fake into the real PostgreSQL.</summary>
public sealed class FreshdeskIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Tickets_are_ingested_with_channel_from_source_code_status_priority_first_response_and_fr_escalated()
    {
        await using var fake = await FreshdeskFake.StartAsync();
        fake.Put([
            new FakeTicket(1, T0, T0.AddMinutes(10), Source: 1, Status: 2, Priority: 4, [], FirstRespondedAt: T0.AddMinutes(7)),
            new FakeTicket(2, T0, T0.AddMinutes(11), Source: 2, Status: 3, Priority: 1, ["escalated_to_tech"], FrEscalated: true),
            new FakeTicket(3, T0, T0.AddMinutes(12), Source: 7, Status: 4, Priority: 2, ["whatsapp"], FirstRespondedAt: T0.AddMinutes(1), ResolvedAt: T0.AddMinutes(12)),
            new FakeTicket(4, T0, T0.AddMinutes(13), Source: 3, Status: 6, Priority: 3, ["agent_error"]),
            new FakeTicket(5, T0, T0.AddMinutes(14), Source: 9, Status: 5, Priority: 2, []),
            new FakeTicket(6, T0, T0.AddMinutes(15), Source: 10, Status: 2, Priority: 2, []),
        ]);
        var settings = fake.Settings();
        settings["Ticketing:Freshdesk:ChannelMap:whatsapp"] = "messenger:whatsapp";

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, channel, priority, status, first_response_seconds AS FirstResponseSeconds,
                       sla_breached AS Breached, escalated_to_tech AS Tech, escalated_agent_error AS AgentError, solved_at AS SolvedAt, queue
                FROM contacts WHERE source = 'freshdesk' ORDER BY external_id
                """),
            r => r.Count == 6, what: "six Freshdesk tickets ingested");

        rows.Should().BeEquivalentTo(new[]
        {
            new Row("1", "email", "critical", "open", 7 * 60, false, false, false, null, "8000456"),
            new Row("2", "web", "low", "pending", null, true, true, false, null, "8000456"),
            new Row("3", "messenger:whatsapp", "medium", "solved", 60, false, false, false, T0.AddMinutes(12).UtcDateTime, "8000456"),
            new Row("4", "phone", "high", "on_hold", null, false, false, true, null, "8000456"),
            new Row("5", "web", "medium", "closed", null, false, false, false, null, "8000456"),
            new Row("6", "email", "medium", "open", null, false, false, false, null, "8000456"),
        });
        fake.Server.Requests.Should().Contain(r => r.StartsWith("/api/v2/tickets?updated_since=2026-11-01T00%3A00%3A00Z&order_by=updated_at&order_type=asc&per_page=100&page=1&include=stats", StringComparison.Ordinal));
        var dump = string.Join("\n", await Query<string>("SELECT row_to_json(c)::text FROM contacts c"));
        dump.Should().NotContain("Jane").And.NotContain("customer.example");
    }

    [PostgresFact]
    public async Task Every_ticket_arrives_exactly_once_over_several_pages_and_a_same_second_pile_through_429_500_timeouts_and_bad_json()
    {
        await using var fake = await FreshdeskFake.StartAsync();
        // 100 tickets a minute apart, then 60 updated in the same second (more than a page), then 40 more.
        fake.Put(Enumerable.Range(1, 100).Select(i => new FakeTicket(i, T0, T0.AddMinutes(i), 1, 2, 2, [])));
        fake.Put(Enumerable.Range(101, 60).Select(i => new FakeTicket(i, T0, T0.AddHours(3), 7, 2, 2, [])));
        fake.Put(Enumerable.Range(161, 40).Select(i => new FakeTicket(i, T0, T0.AddHours(4).AddMinutes(i), 3, 2, 2, [])));
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("/api/v2/tickets", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.ServerError("/api/v2/tickets"));
        fake.Server.Faults.Enqueue(new Fault.Slow("/api/v2/tickets", TimeSpan.FromSeconds(5)));
        fake.Server.Faults.Enqueue(new Fault.Truncated("/api/v2/tickets"));
        fake.Server.Faults.Enqueue(new Fault.Malformed("/api/v2/tickets"));
        var malformedBefore = IngestionMetrics.SourceErrors.WithLabels("freshdesk", "malformed").Value;
        var rateLimitedBefore = IngestionMetrics.SourceErrors.WithLabels("freshdesk", "rate_limited").Value;
        var settings = fake.Settings();
        settings["Ticketing:Freshdesk:PageSize"] = "40";

        await using var service = await TestService.StartAsync(database, settings);
        var ids = await Eventually.Until(
            () => Query<string>("SELECT external_id FROM contacts WHERE source = 'freshdesk'"),
            r => r.Count == 200, TimeSpan.FromSeconds(60), "200 tickets ingested");

        ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fake.Server.FaultsServed.Should().Be(5, "every injected fault was met");
        fake.Server.Requests.Should().Contain(r => r.Contains("page=2&", StringComparison.Ordinal), "the same-second pile is longer than a page");
        fake.Server.Requests.Should().NotContain(r => r.Contains("page=4&", StringComparison.Ordinal), "full pages restart from their newest update instead of going deeper");
        IngestionMetrics.SourceErrors.WithLabels("freshdesk", "malformed").Value.Should().BeGreaterThanOrEqualTo(malformedBefore + 2);
        IngestionMetrics.SourceErrors.WithLabels("freshdesk", "rate_limited").Value.Should().BeGreaterThan(rateLimitedBefore);

        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts");
        var requests = fake.Server.Requests.Count;
        await Eventually.Until(() => Task.FromResult(fake.Server.Requests.Count), n => n >= requests + 2, what: "two more polls");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts")).Should().Equal(before, "re-reading the boundary second changes nothing");
    }

    public sealed record Row(string ExternalId, string Channel, string? Priority, string Status, int? FirstResponseSeconds, bool? Breached, bool Tech, bool AgentError, DateTime? SolvedAt, string? Queue);

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

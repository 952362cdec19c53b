using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Ticketing;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.OtrsFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service polling an OTRS/Znuny GenericInterface fake into the real PostgreSQL.</summary>
public sealed class OtrsIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Tickets_are_ingested_with_first_response_fields_and_an_expired_session_is_made_again()
    {
        await using var fake = await OtrsFake.StartAsync();
        fake.Put([
            new FakeTicket(1, T0, T0.AddMinutes(10), "open", "open", "5 very high", "Raw", FirstResponseAfter: TimeSpan.FromMinutes(20), WorkingMinutes: 15, DiffMinutes: 45),
            new FakeTicket(2, T0, T0.AddMinutes(11), "closed successful", "closed", "3 normal", "Raw", FirstResponseAfter: TimeSpan.FromMinutes(90), DiffMinutes: -30, Closed: T0.AddMinutes(11)),
            new FakeTicket(3, T0, T0.AddMinutes(12), "new", "new", "2 low", "Raw", Escalated: true),
            new FakeTicket(4, T0, T0.AddMinutes(13), "pending reminder", "pending reminder", "4 high", "2nd Level", EscalationField: "1"),
            new FakeTicket(5, T0, T0.AddMinutes(14), "merged", "merged", "3 normal", "Junk"),
        ]);
        var settings = fake.Settings();
        settings["Ticketing:Otrs:BatchSize"] = "2";
        settings["Ticketing:Otrs:TechEscalationTags:0"] = "EscalatedToTech";
        settings["Ticketing:Otrs:ChannelMap:2nd Level"] = "phone";

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, channel, priority, status, queue, first_response_seconds AS FirstResponseSeconds,
                       first_response_business_seconds AS BusinessSeconds, sla_breached AS Breached, sla_remaining_seconds AS Remaining,
                       escalated_to_tech AS Tech, solved_at AS SolvedAt
                FROM contacts WHERE source = 'otrs' ORDER BY external_id
                """),
            r => r.Count == 5, what: "five OTRS tickets ingested");

        rows.Should().BeEquivalentTo(new[]
        {
            new Row("2026120110000001", "email", "critical", "open", "Raw", 20 * 60, 15 * 60, false, 45 * 60, false, null),
            new Row("2026120110000002", "email", "medium", "solved", "Raw", 90 * 60, 90 * 60, true, -30 * 60, false, T0.AddMinutes(11).UtcDateTime),
            new Row("2026120110000003", "email", "low", "new", "Raw", null, null, true, null, false, null),
            new Row("2026120110000004", "phone", "high", "pending", "2nd Level", null, null, null, null, true, null),
            new Row("2026120110000005", "email", "medium", "closed", "Junk", null, null, null, null, false, null),
        });
        fake.Gets.Should().Contain(g => g.Contains(',', StringComparison.Ordinal), "TicketGet is asked for several ids at once");
        fake.SessionsCreated.Should().Be(1, "one session serves every call");

        // The session expires; the next change is still read, after one new login.
        fake.ExpireSessions();
        fake.Put([new FakeTicket(6, T0, T0.AddMinutes(30), "open", "open", "3 normal", "Raw")]);
        await Eventually.Until(() => Query<string>("SELECT external_id FROM contacts WHERE external_id = '2026120110000006'"), r => r.Count == 1, what: "ticket 6 after the session expired");
        fake.SessionsCreated.Should().Be(2);

        var dump = string.Join("\n", await Query<string>("SELECT row_to_json(c)::text FROM contacts c"));
        dump.Should().NotContain("Jane").And.NotContain("jane").And.NotContain("agent.smith").And.NotContain("+49");
    }

    [PostgresFact]
    public async Task Every_ticket_arrives_exactly_once_over_several_pages_and_a_busy_second_through_500_429_timeouts_and_bad_json()
    {
        await using var fake = await OtrsFake.StartAsync();
        fake.Put(Enumerable.Range(1, 90).Select(i => new FakeTicket(i, T0, T0.AddMinutes(i), "open", "open", "3 normal", "Raw")));
        fake.Put(Enumerable.Range(91, 70).Select(i => new FakeTicket(i, T0, T0.AddHours(3), "open", "open", "3 normal", "Raw")));
        fake.Put(Enumerable.Range(161, 30).Select(i => new FakeTicket(i, T0, T0.AddHours(4).AddMinutes(i), "open", "open", "3 normal", "Raw")));
        fake.Server.Faults.Enqueue(new Fault.ServerError("/Ticket"));
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("/Ticket/", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.Malformed("/Ticket"));
        fake.Server.Faults.Enqueue(new Fault.Slow("/Ticket/", TimeSpan.FromSeconds(5)));
        fake.Server.Faults.Enqueue(new Fault.Truncated("/Ticket/"));
        var malformedBefore = IngestionMetrics.SourceErrors.WithLabels("otrs", "malformed").Value;
        var settings = fake.Settings();
        settings["Ticketing:Otrs:PageSize"] = "30";
        settings["Ticketing:Otrs:BatchSize"] = "10";

        await using var service = await TestService.StartAsync(database, settings);
        var ids = await Eventually.Until(
            () => Query<string>("SELECT external_id FROM contacts WHERE source = 'otrs'"),
            r => r.Count == 190, TimeSpan.FromSeconds(60), "190 tickets ingested");

        ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 190).Select(i => (2026120110000000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fake.Server.FaultsServed.Should().Be(5);
        IngestionMetrics.SourceErrors.WithLabels("otrs", "malformed").Value.Should().BeGreaterThanOrEqualTo(malformedBefore + 2);

        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts");
        var requests = fake.Server.Requests.Count;
        await Eventually.Until(() => Task.FromResult(fake.Server.Requests.Count), n => n >= requests + 3, what: "more polls");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts")).Should().Equal(before);
    }

    public sealed record Row(
        string ExternalId, string Channel, string? Priority, string Status, string? Queue, int? FirstResponseSeconds, int? BusinessSeconds,
        bool? Breached, int? Remaining, bool Tech, DateTime? SolvedAt);

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

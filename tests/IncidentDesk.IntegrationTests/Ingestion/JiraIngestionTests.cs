using System.Globalization;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Ticketing;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.JiraFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service polling a Jira Service Management fake into the real PostgreSQL.</summary>
public sealed class JiraIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Requests_are_ingested_with_their_first_response_sla_status_priority_channel_and_escalation_flags()
    {
        await using var fake = await JiraFake.StartAsync();
        fake.Put([
            new FakeRequest("SUP-1", T0, T0.AddMinutes(30), "Resolved", "done", "Highest", ["telegram"], FirstResponseAfter: TimeSpan.FromMinutes(12), Resolved: T0.AddMinutes(30)),
            new FakeRequest("SUP-2", T0, T0.AddMinutes(31), "Waiting for customer", "indeterminate", "Medium", [], FirstResponseAfter: TimeSpan.FromMinutes(300), Breached: true),
            new FakeRequest("SUP-3", T0, T0.AddMinutes(32), "Waiting for support", "new", "Low", ["agent_error"], Paused: true, Remaining: TimeSpan.FromMinutes(90)),
            new FakeRequest("SUP-4", T0, T0.AddMinutes(33), "In progress", "indeterminate", null, [], Remaining: TimeSpan.FromMinutes(20)),
            new FakeRequest("SUP-5", T0, T0.AddMinutes(34), "Open", "new", "High", [], HasSla: false),
            new FakeRequest("OPS-9", T0, T0.AddMinutes(35), "Open", "new", "High", []), // another project: outside the configured JQL
        ]);
        var settings = fake.Settings();
        settings["Ticketing:Jira:ChannelMap:telegram"] = "messenger:telegram";

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, channel, priority, status, first_response_seconds AS FirstResponseSeconds,
                       first_response_business_seconds AS BusinessSeconds, sla_breached AS Breached, sla_paused AS Paused,
                       sla_remaining_seconds AS Remaining, escalated_to_tech AS Tech, escalated_agent_error AS AgentError, solved_at AS SolvedAt
                FROM contacts WHERE source = 'jira' ORDER BY external_id
                """),
            r => r.Count == 5, what: "five Jira requests ingested");

        rows.Should().BeEquivalentTo(new[]
        {
            new Row("SUP-1", "messenger:telegram", "critical", "solved", 12 * 60, 12 * 60, false, false, (4 * 60 - 12) * 60, false, false, T0.AddMinutes(30).UtcDateTime),
            new Row("SUP-2", "web", "medium", "pending", 300 * 60, 300 * 60, true, false, (4 * 60 - 300) * 60, false, false, null),
            // Paused: the remaining time stands still and is kept.
            new Row("SUP-3", "web", "low", "open", null, null, false, true, 90 * 60, false, true, null),
            // Running: the remaining time moves with every read and is not stored.
            new Row("SUP-4", "web", null, "open", null, null, false, false, null, false, false, null),
            // No SLA (the endpoint answers 404): the source says nothing about it.
            new Row("SUP-5", "web", "high", "new", null, null, null, null, null, false, false, null),
        });
        // The first listing starts at StartFrom; a later poll (the service keeps polling) starts at the moved cursor.
        fake.Queries.First().Should().StartWith("(project = SUP) AND updated >= \"2026-11-01 00:00\"");
        fake.Queries.Should().AllSatisfy(q => q.Should().StartWith("(project = SUP) AND updated >= \"").And.EndWith("ORDER BY updated ASC"));
        fake.Server.Requests.Where(r => r.Contains("search/jql", StringComparison.Ordinal))
            .Should().AllSatisfy(r => r.Should().Contain("fields=created%2Cupdated%2Cstatus%2Cpriority%2Clabels%2Cresolutiondate%2Ccustomfield_10050"));

        // Nothing personal crossed over: summary and reporter were never asked for, nor stored.
        var dump = string.Join("\n", await Query<string>("SELECT row_to_json(c)::text FROM contacts c"));
        dump.Should().NotContain("Jane").And.NotContain("Refund");
    }

    [PostgresFact]
    public async Task A_request_escalated_to_tech_later_ends_up_escalated_with_the_escalated_status_acceptance_test_2()
    {
        await using var fake = await JiraFake.StartAsync();
        fake.Put([new FakeRequest("SUP-7", T0, T0.AddMinutes(5), "Waiting for support", "new", "Medium", [], FirstResponseAfter: TimeSpan.FromMinutes(4))]);
        await using var service = await TestService.StartAsync(database, fake.Settings());
        await Eventually.Until(() => Query<bool>("SELECT escalated_to_tech FROM contacts WHERE external_id = 'SUP-7'"), r => r.Count == 1, what: "SUP-7 ingested");

        // The agent escalates: the escalation field is set, priority raised, status "Escalated" (JSM's workflow).
        fake.Put([new FakeRequest("SUP-7", T0, T0.AddMinutes(50), "Escalated", "indeterminate", "High", [], FirstResponseAfter: TimeSpan.FromMinutes(4), Escalation: "Yes")]);
        // A second request escalated by label only, as sites without the field do.
        fake.Put([new FakeRequest("SUP-8", T0, T0.AddMinutes(51), "Escalated", "indeterminate", "High", ["escalated_to_tech"], FirstResponseAfter: TimeSpan.FromMinutes(2))]);

        var rows = await Eventually.Until(
            () => Query<(string Key, bool Tech, string Status, string Priority, int FirstResponse)>(
                "SELECT external_id, escalated_to_tech, status, priority, first_response_seconds FROM contacts WHERE source = 'jira' ORDER BY external_id"),
            r => r.Count == 2 && r.All(x => x.Tech), what: "both requests escalated");
        rows.Should().Equal(("SUP-7", true, "open", "high", 4 * 60), ("SUP-8", true, "open", "high", 2 * 60));
    }

    [PostgresFact]
    public async Task Every_request_arrives_exactly_once_over_several_pages_through_429_500_timeouts_and_malformed_answers()
    {
        await using var fake = await JiraFake.StartAsync();
        fake.Put(Enumerable.Range(1, 130).Select(i =>
            new FakeRequest($"SUP-{i}", T0.AddMinutes(i), T0.AddMinutes(i), "Waiting for support", "new", "Medium", [], FirstResponseAfter: TimeSpan.FromMinutes(i % 40 + 1))));
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("search/jql", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.ServerError("/sla"));
        fake.Server.Faults.Enqueue(new Fault.Malformed("search/jql"));
        fake.Server.Faults.Enqueue(new Fault.Slow("/sla", TimeSpan.FromSeconds(5)));
        fake.Server.Faults.Enqueue(new Fault.Truncated("search/jql"));
        fake.Server.Faults.Enqueue(new Fault.Truncated("/sla"));
        var malformedBefore = IngestionMetrics.SourceErrors.WithLabels("jira", "malformed").Value;
        var rateLimitedBefore = IngestionMetrics.SourceErrors.WithLabels("jira", "rate_limited").Value;
        var serverErrorBefore = IngestionMetrics.SourceErrors.WithLabels("jira", "server_error").Value;
        var ingestedBefore = IngestionMetrics.TicketsIngested.WithLabels("jira").Value;
        var settings = fake.Settings();
        settings["Ticketing:Jira:PageSize"] = "50";

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<(string Key, int FirstResponse)>("SELECT external_id, first_response_seconds FROM contacts WHERE source = 'jira'"),
            r => r.Count == 130, TimeSpan.FromSeconds(60), "130 requests ingested");

        rows.Select(r => r.Key).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 130).Select(i => $"SUP-{i}"));
        rows.Should().AllSatisfy(r => r.FirstResponse.Should().Be((int.Parse(r.Key[4..], CultureInfo.InvariantCulture) % 40 + 1) * 60));
        fake.Server.FaultsServed.Should().Be(6, "every injected fault was met");
        fake.Server.Requests.Count(r => r.Contains("nextPageToken=", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(2, "three pages of 50");
        IngestionMetrics.SourceErrors.WithLabels("jira", "malformed").Value.Should().BeGreaterThanOrEqualTo(malformedBefore + 3, "a malformed and two truncated bodies");
        IngestionMetrics.SourceErrors.WithLabels("jira", "rate_limited").Value.Should().BeGreaterThan(rateLimitedBefore);
        IngestionMetrics.SourceErrors.WithLabels("jira", "server_error").Value.Should().BeGreaterThan(serverErrorBefore);
        IngestionMetrics.TicketsIngested.WithLabels("jira").Value.Should().BeGreaterThanOrEqualTo(ingestedBefore + 130);

        // Caught up: later polls re-read the last minute and change nothing.
        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts");
        var searches = fake.Queries.Count;
        await Eventually.Until(() => Task.FromResult(fake.Queries.Count), n => n >= searches + 2, what: "two more polls");
        fake.Queries.Last().Should().Contain("updated >= \"2026-12-01 11:10\"", "the cursor moved to the newest update, 130 minutes after T0");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts")).Should().Equal(before);
        (await Query<long>("SELECT count(*) FROM contacts")).Single().Should().Be(130);
    }

    public sealed record Row(
        string ExternalId, string Channel, string? Priority, string Status, int? FirstResponseSeconds, int? BusinessSeconds,
        bool? Breached, bool? Paused, int? Remaining, bool Tech, bool AgentError, DateTime? SolvedAt);

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

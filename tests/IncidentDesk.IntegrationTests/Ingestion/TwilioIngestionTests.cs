using System.Globalization;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Ticketing;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.TwilioFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service polling a Twilio fake (Calls and TaskRouter statistics) into the real PostgreSQL.</summary>
public sealed class TwilioIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Inbound_parent_calls_become_phone_contacts_answered_or_abandoned_and_a_call_in_progress_is_read_again_until_it_ends()
    {
        await using var fake = await TwilioFake.StartAsync();
        fake.Put([
            new FakeCall("CA01", "completed", T0, T0.AddSeconds(1), T0.AddSeconds(126), 125),
            new FakeCall("CA02", "no-answer", T0.AddMinutes(1), T0.AddMinutes(1), T0.AddMinutes(1).AddSeconds(30), 0),
            new FakeCall("CA03", "busy", T0.AddMinutes(2), T0.AddMinutes(2), T0.AddMinutes(2), 0),
            new FakeCall("CA04", "canceled", T0.AddMinutes(3), T0.AddMinutes(3), T0.AddMinutes(3).AddSeconds(12), 0),
            // not stored: an outbound call, the agent leg of CA01, a call still going
            new FakeCall("CA05", "completed", T0.AddMinutes(4), T0.AddMinutes(4), T0.AddMinutes(5), 60, Direction: "outbound-api"),
            new FakeCall("CA06", "completed", T0, T0.AddSeconds(20), T0.AddSeconds(126), 106, Direction: "outbound-dial", ParentCallSid: "CA01"),
            // stored as neither answered nor abandoned: Twilio could not connect it (no start time)
            new FakeCall("CA07", "failed", T0.AddMinutes(6), null, null, 0),
            new FakeCall("CA08", "in-progress", T0.AddMinutes(7), T0.AddMinutes(7), null, null),
        ]);

        await using var service = await TestService.StartAsync(database, fake.Settings());
        var rows = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, kind, channel, status, answered, abandoned, talk_seconds AS TalkSeconds,
                       wait_seconds AS WaitSeconds, agent, priority, created_at AS CreatedAt, solved_at AS SolvedAt
                FROM contacts WHERE source = 'twilio' ORDER BY external_id
                """),
            r => r.Count == 5, what: "five finished inbound calls ingested");
        rows.Should().BeEquivalentTo(new[]
        {
            new Row("CA01", "call", "phone", "closed", true, false, 125, null, null, null, T0.AddSeconds(1).UtcDateTime, T0.AddSeconds(126).UtcDateTime),
            new Row("CA02", "call", "phone", "closed", false, true, 0, null, null, null, T0.AddMinutes(1).UtcDateTime, T0.AddMinutes(1).AddSeconds(30).UtcDateTime),
            new Row("CA03", "call", "phone", "closed", false, true, 0, null, null, null, T0.AddMinutes(2).UtcDateTime, T0.AddMinutes(2).UtcDateTime),
            new Row("CA04", "call", "phone", "closed", false, true, 0, null, null, null, T0.AddMinutes(3).UtcDateTime, T0.AddMinutes(3).AddSeconds(12).UtcDateTime),
            new Row("CA07", "call", "phone", "closed", false, false, 0, null, null, null, T0.AddMinutes(6).UtcDateTime, null),
        });
        fake.StartTimes.Should().StartWith("2026-11-01T00:00:00Z");

        // The next listing starts no later than the call still going, so its end is not missed.
        await Eventually.Until(() => Task.FromResult(fake.StartTimes.Count), n => n >= 2, what: "a second listing");
        fake.StartTimes.Skip(1).Should().AllSatisfy(s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture).Should().BeOnOrBefore(T0.AddMinutes(7)));
        fake.Put([new FakeCall("CA08", "completed", T0.AddMinutes(7), T0.AddMinutes(7), T0.AddMinutes(9), 120)]);
        var ended = await Eventually.Until(
            () => Query<Row>("""
                SELECT external_id AS ExternalId, kind, channel, status, answered, abandoned, talk_seconds AS TalkSeconds,
                       wait_seconds AS WaitSeconds, agent, priority, created_at AS CreatedAt, solved_at AS SolvedAt
                FROM contacts WHERE source = 'twilio' AND external_id = 'CA08'
                """),
            r => r.Count == 1, what: "the call that was in progress ingested once it ended");
        ended[0].Should().Be(new Row("CA08", "call", "phone", "closed", true, false, 120, null, null, null, T0.AddMinutes(7).UtcDateTime, T0.AddMinutes(9).UtcDateTime));

        var dump = string.Join("\n", await Query<string>("SELECT row_to_json(c)::text FROM contacts c"))
            + string.Join("\n", await Query<string>("SELECT row_to_json(s)::text FROM ingestion_sources s"));
        dump.Should().NotContain("5558675310").And.NotContain("5551230000").And.NotContain("867-5310").And.NotContain("Jane");
        fake.Server.Requests.Should().OnlyContain(r => r.StartsWith($"/2010-04-01/Accounts/{AccountSid}/Calls.json?", StringComparison.Ordinal), "no queue is configured, so no statistics are read");
    }

    [PostgresFact]
    public async Task Every_twilio_call_arrives_exactly_once_over_several_pages_through_429_500_timeouts_and_bad_json()
    {
        await using var fake = await TwilioFake.StartAsync();
        fake.Put(Enumerable.Range(1, 230).Select(i => new FakeCall(
            $"CA{i:D4}", i % 5 == 0 ? "no-answer" : "completed", T0.AddMinutes(i), T0.AddMinutes(i), T0.AddMinutes(i).AddSeconds(90), i % 5 == 0 ? 0 : 90)));
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("/Calls.json", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.ServerError("/Calls.json"));
        fake.Server.Faults.Enqueue(new Fault.Slow("/Calls.json", TimeSpan.FromSeconds(5)));
        fake.Server.Faults.Enqueue(new Fault.Truncated("/Calls.json"));
        fake.Server.Faults.Enqueue(new Fault.Malformed("/Calls.json"));
        var malformedBefore = IngestionMetrics.SourceErrors.WithLabels("twilio", "malformed").Value;
        var rateLimitedBefore = IngestionMetrics.SourceErrors.WithLabels("twilio", "rate_limited").Value;
        var serverErrorBefore = IngestionMetrics.SourceErrors.WithLabels("twilio", "server_error").Value;
        var settings = fake.Settings();
        settings["Telephony:Twilio:PageSize"] = "50";

        await using var service = await TestService.StartAsync(database, settings);
        var ids = await Eventually.Until(
            () => Query<string>("SELECT external_id FROM contacts WHERE source = 'twilio'"),
            r => r.Count == 230, TimeSpan.FromSeconds(60), "230 calls ingested");

        ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 230).Select(i => $"CA{i:D4}"));
        (await Query<int>("SELECT count(*)::int FROM contacts WHERE source = 'twilio' AND abandoned")).Single().Should().Be(46);
        fake.Server.FaultsServed.Should().Be(5, "every injected fault was met");
        fake.Server.Requests.Should().Contain(r => r.Contains("&Page=4&PageToken=PA", StringComparison.Ordinal), "the listing is walked by next_page_uri");
        IngestionMetrics.SourceErrors.WithLabels("twilio", "malformed").Value.Should().BeGreaterThanOrEqualTo(malformedBefore + 2);
        IngestionMetrics.SourceErrors.WithLabels("twilio", "rate_limited").Value.Should().BeGreaterThan(rateLimitedBefore);
        IngestionMetrics.SourceErrors.WithLabels("twilio", "server_error").Value.Should().BeGreaterThan(serverErrorBefore);

        var before = await Query<DateTime>("SELECT max(ingested_at) FROM contacts");
        var listings = fake.StartTimes.Count;
        await Eventually.Until(() => Task.FromResult(fake.StartTimes.Count), n => n >= listings + 2, what: "two more listings");
        (await Query<DateTime>("SELECT max(ingested_at) FROM contacts")).Should().Equal(before, "re-reading calls changes nothing");
    }

    [PostgresFact]
    public async Task TaskRouter_queue_statistics_are_stored_per_finished_window_with_the_split_by_wait_time()
    {
        await using var fake = await TwilioFake.StartAsync();
        var day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var (d3, d2) = (day.AddDays(-3), day.AddDays(-2));
        const string Sales = "WQ00000000000000000000000000000001";
        const string Support = "WQ00000000000000000000000000000002";
        fake.Put([
            new FakeTask(Sales, d3.AddHours(9), 5, true),
            new FakeTask(Sales, d3.AddHours(10), 15, true),
            new FakeTask(Sales, d3.AddHours(11), 40, true),
            new FakeTask(Sales, d3.AddHours(12), 90, false),
            new FakeTask(Sales, d3.AddHours(13), 10, false),
            new FakeTask(Sales, d3.AddHours(14), 30, true, Channel: "chat"),
            new FakeTask(Support, d2.AddHours(9), 70, true),
            new FakeTask(Sales, d2.AddHours(9), 12, true),
        ]);
        fake.Server.Faults.Enqueue(new Fault.TooManyRequests("/CumulativeStatistics", RetryAfterSeconds: 1));
        fake.Server.Faults.Enqueue(new Fault.Malformed("/CumulativeStatistics"));
        var settings = fake.Settings();
        settings["Telephony:Twilio:TaskQueueSids:0"] = Sales;
        settings["Telephony:Twilio:TaskQueueSids:1"] = Support;
        settings["Telephony:Twilio:StatisticsWindow"] = "1.00:00:00";
        settings["Telephony:Twilio:StatisticsStartFrom"] = d3.ToString("O", CultureInfo.InvariantCulture);

        await using var service = await TestService.StartAsync(database, settings);
        var rows = await Eventually.Until(
            () => Query<StatsRow>("""
                SELECT queue_sid AS QueueSid, window_start AS WindowStart, window_end AS WindowEnd, tasks_entered AS TasksEntered,
                       tasks_canceled AS TasksCanceled, reservations_accepted AS ReservationsAccepted, wait_avg_seconds AS WaitAvg,
                       wait_max_seconds AS WaitMax, wait_total_seconds AS WaitTotal,
                       (split_by_wait_time -> '20' -> 'below' ->> 'reservations_accepted')::int AS AcceptedWithin20,
                       (split_by_wait_time -> '60' -> 'below' ->> 'tasks_canceled')::int AS CanceledWithin60
                FROM queue_statistics WHERE source = 'twilio' AND window_start <= @d2 ORDER BY window_start, queue_sid
                """, new { d2 = d2.UtcDateTime }),
            r => r.Count == 4, TimeSpan.FromSeconds(60), "two windows of two queues");

        rows.Should().BeEquivalentTo(new[]
        {
            new StatsRow(Sales, d3.UtcDateTime, d2.UtcDateTime, 5, 2, 3, 20, 40, 60, 2, 1),
            new StatsRow(Support, d3.UtcDateTime, d2.UtcDateTime, 0, 0, 0, 0, 0, 0, 0, 0),
            new StatsRow(Sales, d2.UtcDateTime, d2.AddDays(1).UtcDateTime, 1, 0, 1, 12, 12, 12, 1, 0),
            new StatsRow(Support, d2.UtcDateTime, d2.AddDays(1).UtcDateTime, 1, 0, 1, 70, 70, 70, 0, 0),
        }, o => o.WithStrictOrdering());
        fake.Server.FaultsServed.Should().Be(2);
        fake.Server.Requests.Should().Contain(
            $"/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sales}/CumulativeStatistics?StartDate={Uri.EscapeDataString(d3.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}" +
            $"&EndDate={Uri.EscapeDataString(d2.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}&TaskChannel=voice&SplitByWaitTime=20%2C60");
        (await Query<string>("SELECT cursor FROM ingestion_sources WHERE source = 'twilio:queue-statistics'")).Should().ContainSingle();

        // Windows already read are not asked for again, and the one still running is not asked for at all.
        var statsRequests = fake.Server.Requests.Count(r => r.Contains("/CumulativeStatistics", StringComparison.Ordinal));
        var listings = fake.StartTimes.Count;
        await Eventually.Until(() => Task.FromResult(fake.StartTimes.Count), n => n >= listings + 2, what: "two more polls");
        fake.Server.Requests.Count(r => r.Contains("/CumulativeStatistics", StringComparison.Ordinal)).Should().Be(statsRequests);
        fake.Server.Requests.Should().NotContain(r => r.Contains("StartDate=" + Uri.EscapeDataString(day.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), StringComparison.Ordinal));
    }

    public sealed record Row(string ExternalId, string Kind, string Channel, string Status, bool? Answered, bool? Abandoned, int? TalkSeconds, int? WaitSeconds, string? Agent, string? Priority, DateTime CreatedAt, DateTime? SolvedAt);

    public sealed record StatsRow(string QueueSid, DateTime WindowStart, DateTime WindowEnd, int TasksEntered, int TasksCanceled, int ReservationsAccepted, double? WaitAvg, double? WaitMax, double? WaitTotal, int? AcceptedWithin20, int? CanceledWithin60);

    private async Task<List<T>> Query<T>(string sql, object? parameters = null)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }
}

using System.Diagnostics;
using System.Globalization;
using IncidentDesk.Incidents;
using IncidentDesk.Sla;
using IncidentDesk.Storage;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace IncidentDesk.Bench;

/// <summary>
/// One SLA evaluation cycle (20 rules, every kind) over 1,000,000 contacts spread across 90 days, against
/// the naive alternative measured in the same run: each rule's window counted straight from contacts.
/// </summary>
public sealed class SlaScenario : IScenario
{
    private const int Contacts = 1_000_000;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public string Name => "sla evaluation";

    private const string Rules = """
        calendars:
          office:
            time_zone: Europe/Berlin
            hours: { mon-fri: "09:00-18:00" }
            holidays: [2026-10-03, 2026-11-01]
        rules:
          - { name: email, kind: response_within, scope: { channels: [email] }, window: 24h, within: 2h, target: 0.8, basis: business, calendar: office }
          - { name: web, kind: response_within, scope: { channels: [web] }, window: 24h, within: 2h, target: 0.8, basis: business, calendar: office }
          - { name: chat, kind: response_within, scope: { channels: [chat] }, window: 1h, within: 2m, target: 0.8 }
          - { name: telegram, kind: response_within, scope: { channels: ["messenger:telegram"] }, window: 4h, within: 15m, target: 0.8 }
          - { name: viber, kind: response_within, scope: { channels: ["messenger:viber"] }, window: 4h, within: 15m, target: 0.8 }
          - { name: instagram, kind: response_within, scope: { channels: ["messenger:instagram"] }, window: 4h, within: 15m, target: 0.8 }
          - { name: social, kind: response_within, scope: { channels: [social] }, window: 24h, within: 1h, target: 0.8 }
          - { name: api, kind: response_within, scope: { channels: [api, other] }, window: 24h, within: 4h, target: 0.8 }
          - { name: frt-critical, kind: first_response_time, scope: { priorities: [critical] }, per_channel: false, window: 7d, within: 1h, target: 0.95 }
          - { name: frt-high, kind: first_response_time, scope: { priorities: [high] }, per_channel: false, window: 7d, within: 4h, target: 0.9, basis: business, calendar: office }
          - { name: frt-medium, kind: first_response_time, scope: { priorities: [medium] }, per_channel: false, window: 7d, within: 8h, target: 0.9, basis: business, calendar: office }
          - { name: frt-low, kind: first_response_time, scope: { priorities: [low] }, per_channel: false, window: 7d, within: 24h, target: 0.9, basis: business, calendar: office }
          - { name: csat-mail, kind: csat, scope: { channels: [email, web] }, window: 7d, target: 0.85 }
          - { name: csat-live, kind: csat, scope: { channels: [chat, "messenger:telegram", "messenger:viber", "messenger:instagram"] }, window: 7d, target: 0.85 }
          - { name: agent-errors-urgent, kind: agent_error_escalations, scope: { priorities: [critical, high] }, per_channel: false, window: 7d, target: 0.05 }
          - { name: agent-errors-normal, kind: agent_error_escalations, scope: { priorities: [medium, low] }, per_channel: false, window: 7d, target: 0.05 }
          - { name: phone-twilio, kind: phone_service_level, scope: { sources: [twilio] }, window: 1h, within: 20s, target: 0.8, max_abandon_rate: 0.05 }
          - { name: phone-asterisk, kind: phone_service_level, scope: { sources: [asterisk] }, window: 24h, within: 30s, target: 0.8, max_abandon_rate: 0.05 }
          - { name: coverage-written, kind: out_of_hours_share, scope: { channels: [email, web, api, other] }, per_channel: false, window: 28d, target: 0.05, calendar: office }
          - { name: coverage-live, kind: out_of_hours_share, scope: { channels: [chat, phone, social, "messenger:telegram", "messenger:viber", "messenger:instagram"] }, per_channel: false, window: 28d, target: 0.05, calendar: office }
        """;

    public async Task<ScenarioResult> RunAsync(string serverConnectionString)
    {
        var parsed = SlaRulesFile.Parse(Rules, "bench.yaml");
        if (parsed.RuleSet is null)
            throw new InvalidOperationException(string.Join("; ", parsed.Problems));
        var set = parsed.RuleSet;

        var dbName = "bench_sla_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(serverConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {dbName}", admin).ExecuteNonQueryAsync();
        }
        var keep = false;
        var cs = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = dbName, CommandTimeout = 600, Options = "-c jit=off" }.ConnectionString;
        try
        {
            await using var dataSource = StorageExtensions.CreateDataSource(cs);
            await new Migrator(dataSource, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None);

            var load = Stopwatch.StartNew();
            var random = new Random(42);
            var (contacts, ratings) = await CopyAsync(dataSource, random);
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                await new NpgsqlCommand("VACUUM ANALYZE contacts", connection).ExecuteNonQueryAsync();
                await new NpgsqlCommand("VACUUM ANALYZE contact_ratings", connection).ExecuteNonQueryAsync();
            }
            load.Stop();

            if (Environment.GetEnvironmentVariable("SLA_BENCH_LOAD_ONLY") == "1")
            {
                Console.WriteLine($"loaded {dbName}");
                keep = true;
                return new ScenarioResult(Name, "load only", [], "load only");
            }
            var time = new ManualClock(Now);
            var incidents = new IncidentService(dataSource, time, []);
            var evaluator = new SlaEvaluator(dataSource, incidents, Options.Create(new SlaOptions()), NullLogger<SlaEvaluator>.Instance);

            // Cold: the first cycle builds every rule's hourly rollups over its lookback.
            var cold = await Scenarios.TimeAsync(() => evaluator.EvaluateAsync(set, time.GetUtcNow(), default));

            // Steady state: 1M contacts in 90 days is ~8 new contacts a minute. A cycle follows 50 changes a minute
            // (30 new, 20 first responses to tickets created up to 24 h earlier: several times the average rate),
            // then a burst of 500 changes a minute (a poller catching up).
            var store = new ContactStore(dataSource, time);
            var steady = new List<TimeSpan>();
            var burst = new List<TimeSpan>();
            var naive = new List<TimeSpan>();
            long steadyHours = 0, burstHours = 0;
            for (var minute = 1; minute <= 10; minute++)
            {
                time.Now = Now.AddMinutes(minute);
                var now = time.GetUtcNow();
                var scale = minute <= 6 ? 1 : 10;
                var changed = Enumerable.Range(0, 30 * scale).Select(i => Ticket(random, $"live-{minute}-{i}", now.AddSeconds(-random.Next(0, 60)), now)).ToList();
                changed.AddRange(Enumerable.Range(0, 20 * scale).Select(i =>
                    Ticket(random, $"open-{minute}-{i}", now.AddMinutes(-random.Next(30, 24 * 60)), now) with { FirstResponseAt = now.AddSeconds(-5) }));
                await store.CommitPageAsync("zendesk", null, changed, [], default);

                SlaEvaluator.CycleReport? report = null;
                var cycle = await Scenarios.TimeAsync(async () => report = await evaluator.EvaluateAsync(set, now, default));
                if (minute is >= 2 and <= 6)
                {
                    steady.Add(cycle);
                    steadyHours += report!.BucketsRecomputed;
                }
                else if (minute >= 8)
                {
                    burst.Add(cycle);
                    burstHours += report!.BucketsRecomputed;
                }
                if (minute is 3 or 9)
                    naive.Add(await Scenarios.TimeAsync(() => NaiveAsync(dataSource, set, now)));
            }
            await VerifyAsync(dataSource, set, evaluator, time.GetUtcNow());

            var (cycleP50, _) = Scenarios.Percentiles(steady.ToList());
            var (burstP50, _) = Scenarios.Percentiles(burst.ToList());
            var naiveMs = naive.Min().TotalMilliseconds;
            return new ScenarioResult(Name,
                $"{Contacts:N0} contacts ({contacts:N0} tickets and calls, {ratings:N0} ratings) over 90 days loaded with binary COPY; "
                + $"{set.Rules.Count} rules of every kind (windows 1 h – 28 d, business-hours calendars). Each cycle follows the contacts "
                + "changed in the last minute (new ones, and first responses to tickets created up to 24 h earlier) and evaluates every rule from 5-minute rollups; the naive baseline counts each rule's window "
                + "(CSAT: two windows) straight from contacts with the same SQL and the same indexes (JIT off for both). The results of both are checked equal.",
                [
                    ("load (COPY + indexes + analyze)", $"{load.Elapsed.TotalSeconds:0.0} s"),
                    ("cold cycle (builds every rollup)", Ms(cold.TotalMilliseconds)),
                    ("steady cycle p50 / max (50 changes a minute, 5 cycles)", Ms(cycleP50) + " / " + Ms(steady.Max().TotalMilliseconds)),
                    ("steady: buckets recomputed per cycle, all rules (mean)", (steadyHours / (double)steady.Count).ToString("0", CultureInfo.InvariantCulture)),
                    ("burst cycle p50 / max (500 changes a minute, 3 cycles)", Ms(burstP50) + " / " + Ms(burst.Max().TotalMilliseconds)),
                    ("burst: buckets recomputed per cycle, all rules (mean)", (burstHours / (double)burst.Count).ToString("0", CultureInfo.InvariantCulture)),
                    ("naive full scan, all 20 rules (best of 2)", Ms(naiveMs)),
                ],
                $"one evaluation cycle of 20 rules takes {Ms(cycleP50)} at 50 changes a minute (target < 1 s), {naiveMs / cycleP50:0}× faster than the naive full scan; {Ms(burstP50)} ({naiveMs / burstP50:0}×) at 500 changes a minute");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!keep)
                await DropAsync(serverConnectionString, dbName);
        }
    }

    private static async Task DropAsync(string serverConnectionString, string dbName)
    {
        {
            await using var admin = new NpgsqlConnection(serverConnectionString);
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {dbName} WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }

    private static async Task NaiveAsync(NpgsqlDataSource dataSource, SlaRuleSet set, DateTimeOffset now)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var rule in set.Rules)
        {
            await SlaStore.TallyFromContactsAsync(connection, null, rule, set.CalendarOf(rule), now - rule.Window, now, now, default);
            if (rule.Kind == SlaRuleKind.Csat)
                await SlaStore.TallyFromContactsAsync(connection, null, rule, set.CalendarOf(rule), now - rule.Window * 2, now - rule.Window, now, default);
        }
    }

    /// <summary>The benchmark only counts if the fast path gives the naive answer.</summary>
    private static async Task VerifyAsync(NpgsqlDataSource dataSource, SlaRuleSet set, SlaEvaluator evaluator, DateTimeOffset now)
    {
        var report = await evaluator.EvaluateAsync(set, now, default);
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var rule in set.Rules)
        {
            var naive = await SlaStore.TallyFromContactsAsync(connection, null, rule, set.CalendarOf(rule), now - rule.Window, now, now, default);
            foreach (var result in report.Results.Where(r => r.Rule == rule))
            {
                var expected = naive.GetValueOrDefault(result.Channel);
                if (expected.Samples != result.Samples || expected.Share != result.Value)
                    throw new InvalidOperationException($"{rule.Name}/{result.Channel}: rollups {result.Samples}/{result.Value} != naive {expected.Samples}/{expected.Share}");
            }
        }
    }

    private static readonly (string Channel, int Weight, int MeanResponseMinutes)[] Mix =
    [
        ("email", 30, 180), ("web", 15, 200), ("chat", 15, 2), ("phone", 20, 0), ("messenger:telegram", 5, 12), ("messenger:viber", 3, 12),
        ("messenger:instagram", 2, 15), ("social", 5, 50), ("api", 3, 240), ("other", 2, 300),
    ];

    private static readonly string[] PriorityMix = ["low", "low", "low", "medium", "medium", "medium", "medium", "high", "high", "critical"];

    private static Contact Ticket(Random random, string id, DateTimeOffset created, DateTimeOffset now)
    {
        var (channel, _, mean) = PickChannel(random, ticketsOnly: true);
        return new Contact
        {
            Source = "zendesk",
            ExternalId = id,
            Channel = channel,
            Priority = PriorityMix[random.Next(PriorityMix.Length)],
            Status = "open",
            Queue = "q" + random.Next(5),
            CreatedAt = created,
            SourceUpdatedAt = now,
            FirstResponseAt = null,
            EscalatedAgentError = random.Next(100) < 3,
        };
    }

    private static (string, int, int) PickChannel(Random random, bool ticketsOnly)
    {
        while (true)
        {
            var roll = random.Next(100);
            foreach (var m in Mix)
            {
                if (roll < m.Weight)
                {
                    if (ticketsOnly && m.Channel == "phone")
                        break;
                    return m;
                }
                roll -= m.Weight;
            }
        }
    }

    private static async Task<(long Contacts, long Ratings)> CopyAsync(NpgsqlDataSource dataSource, Random random)
    {
        var ingested = Now.AddDays(-1).UtcDateTime;
        var start = Now.AddDays(-90);
        var span = (Now - start).TotalSeconds;
        var rated = new List<(string Id, bool Good, DateTime At)>();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY contacts (source, external_id, kind, channel, priority, status, queue, created_at, first_response_at, solved_at,
                           on_hold_seconds, escalated_to_tech, escalated_agent_error, wait_seconds, talk_seconds, answered, abandoned,
                           source_updated_at, ingested_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < Contacts; i++)
            {
                // In creation order, as pollers ingest: the table's physical order follows created_at.
                var created = start.AddSeconds((i + random.NextDouble()) * span / Contacts).UtcDateTime;
                var (channel, _, mean) = PickChannel(random, ticketsOnly: false);
                var call = channel == "phone";
                await writer.StartRowAsync();
                await writer.WriteAsync(call ? (i % 2 == 0 ? "twilio" : "asterisk") : "zendesk", NpgsqlDbType.Text);
                await writer.WriteAsync("c" + i.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                await writer.WriteAsync(call ? "call" : "ticket", NpgsqlDbType.Text);
                await writer.WriteAsync(channel, NpgsqlDbType.Text);
                if (call)
                {
                    await writer.WriteNullAsync();
                    await writer.WriteAsync("closed", NpgsqlDbType.Text);
                    await writer.WriteAsync("phone", NpgsqlDbType.Text);
                    await writer.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    await writer.WriteNullAsync();
                    await writer.WriteNullAsync();
                    await writer.WriteNullAsync();
                    await writer.WriteAsync(false, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(false, NpgsqlDbType.Boolean);
                    var abandoned = random.Next(100) < 7;
                    await writer.WriteAsync((int)(-Math.Log(1 - random.NextDouble()) * 15), NpgsqlDbType.Integer);
                    await writer.WriteAsync(abandoned ? 0 : 60 + random.Next(600), NpgsqlDbType.Integer);
                    await writer.WriteAsync(!abandoned, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(abandoned, NpgsqlDbType.Boolean);
                }
                else
                {
                    var answered = created < Now.AddDays(-1).UtcDateTime || random.Next(10) > 0;
                    var response = created.AddSeconds(-Math.Log(1 - random.NextDouble()) * mean * 60 + 10);
                    if (response >= Now.UtcDateTime)
                        answered = false;
                    await writer.WriteAsync(PriorityMix[random.Next(PriorityMix.Length)], NpgsqlDbType.Text);
                    await writer.WriteAsync(answered ? "solved" : "open", NpgsqlDbType.Text);
                    await writer.WriteAsync("q" + random.Next(5).ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                    await writer.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    if (answered)
                        await writer.WriteAsync(response, NpgsqlDbType.TimestampTz);
                    else
                        await writer.WriteNullAsync();
                    if (answered)
                        await writer.WriteAsync(response.AddHours(2), NpgsqlDbType.TimestampTz);
                    else
                        await writer.WriteNullAsync();
                    if (random.Next(10) == 0)
                        await writer.WriteAsync(random.Next(60, 7200), NpgsqlDbType.Integer);
                    else
                        await writer.WriteNullAsync();
                    var agentError = random.Next(100) < 3;
                    await writer.WriteAsync(agentError || random.Next(100) < 5, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(agentError, NpgsqlDbType.Boolean);
                    await writer.WriteNullAsync();
                    await writer.WriteNullAsync();
                    await writer.WriteNullAsync();
                    await writer.WriteNullAsync();
                    if (answered && random.Next(100) < 15 && response.AddHours(3) < Now.UtcDateTime)
                        rated.Add(("c" + i.ToString(CultureInfo.InvariantCulture), random.Next(100) < 88, response.AddHours(3)));
                }
                await writer.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(ingested, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY contact_ratings (source, external_id, rating, rated_at, ingested_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (id, good, at) in rated)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync("zendesk", NpgsqlDbType.Text);
                await writer.WriteAsync(id, NpgsqlDbType.Text);
                await writer.WriteAsync(good ? "good" : "bad", NpgsqlDbType.Text);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(ingested, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        return (Contacts, rated.Count);
    }

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A clock the scenario sets by hand (the evaluator takes now as a value; the stores stamp with this).</summary>
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

using System.Globalization;
using Dapper;
using IncidentDesk.Incidents;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IncidentDesk.Sla;

/// <summary>
/// One evaluation cycle over every rule at a given <c>now</c>:
/// <list type="number">
/// <item>calendars: business intervals cover what the rules read;</item>
/// <item>rollups: 5-minute buckets touched by contacts/ratings ingested since the last cycle are recomputed (a rule whose
/// definition changed is rebuilt over its lookback), so the cost follows the change rate, not the window;</item>
/// <item>windows: whole buckets from the rollups, the two partial edge buckets and the overdue unanswered tickets
/// from contacts; verdicts by <see cref="SlaJudge"/>; results appended to <c>sla_results</c>;</item>
/// <item>the first-response histogram observes newly answered contacts;</item>
/// <item>breach episodes: a breach opens (or joins) one incident per rule and channel, a sustained recovery is
/// written on its timeline (see <see cref="BreachEpisodes"/>).</item>
/// </list>
/// Steps 1–4 commit in one transaction under an advisory lock, so two nodes never interleave a cycle.
/// </summary>
public sealed class SlaEvaluator(NpgsqlDataSource dataSource, IncidentService incidents, IOptions<SlaOptions> options, ILogger<SlaEvaluator> logger)
{
    private const long CycleLockKey = 0x51A_C7C1E;
    private const string ChangesMark = "changes";

    /// <summary>What a cycle did.</summary>
    public sealed record CycleReport(IReadOnlyList<SlaResult> Results, int BucketsRecomputed, int FirstResponsesObserved, int IncidentsOpened, int RecoveriesRecorded);

    public async Task<CycleReport> EvaluateAsync(SlaRuleSet set, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        List<SlaResult> results = [];
        IReadOnlyList<(string Channel, double Seconds)> firstResponses;
        Dictionary<(string Rule, string Channel), BreachState> states;
        var buckets = 0;

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = CycleLockKey }, tx, cancellationToken: ct));
            // The range joins are estimated pessimistically; JIT-compiling them costs more than running them.
            await connection.ExecuteAsync(new CommandDefinition("SET LOCAL jit = off", transaction: tx, cancellationToken: ct));
            await EnsureCalendarsAsync(connection, tx, set, now, ct);

            // The change scan reads rows ingested after the previous cycle's mark. The mark trails the clock by
            // IngestOverlap: a poller page committed up to that long after its ingested_at (or stamped by a
            // node whose clock is that much behind) is still seen. Rows in the overlap are read twice, which
            // only recomputes their hour again.
            var mark = await SlaStore.WatermarkAsync(connection, tx, ChangesMark, ct);
            var first = mark is null;
            IReadOnlyList<SlaStore.DirtyBucket> dirtyContacts = [], dirtyRatings = [];
            if (!first)
            {
                dirtyContacts = await SlaStore.DirtyBucketsAsync(connection, tx, ratings: false, mark!.Value, ct);
                dirtyRatings = await SlaStore.DirtyBucketsAsync(connection, tx, ratings: true, mark.Value, ct);
            }

            foreach (var rule in set.Rules)
            {
                var rebuildEvery = first ? TimeSpan.Zero : o.RebuildInterval;
                buckets += await SlaStore.MaintainRollupsAsync(connection, tx, rule, set.CalendarOf(rule), now,
                    SlaStore.DirtyFor(rule, rule.Kind == SlaRuleKind.Csat ? dirtyRatings : dirtyContacts), rebuildEvery, ct);
            }
            await SlaStore.ForgetRulesExceptAsync(connection, tx, set.Rules.Select(r => r.Name).ToList(), ct);

            var horizon = now - o.FirstResponseHorizon;
            firstResponses = await SlaStore.ClaimFirstResponsesAsync(connection, tx, mark ?? DateTimeOffset.UnixEpoch, horizon, ct);
            await SlaStore.SaveWatermarkAsync(connection, tx, ChangesMark, now - o.IngestOverlap, ct);

            states = await SlaStore.LoadStatesAsync(connection, tx, ct);
            foreach (var rule in set.Rules)
                results.AddRange(await EvaluateRuleAsync(connection, tx, rule, set.CalendarOf(rule), now, states, ct));
            await SlaStore.InsertResultsAsync(connection, tx, results, ct);
            await SlaStore.PruneResultsAsync(connection, tx, now - o.ResultRetention, ct);
            await tx.CommitAsync(ct);
        }

        // Observed only after the claim committed: a rolled-back cycle leaves the contacts for the next one.
        foreach (var (channel, seconds) in firstResponses)
            SlaMetrics.FirstResponse.WithLabels(channel).Observe(seconds);

        var (opened, recovered) = await ApplyBreachEpisodesAsync(results, states, now, ct);
        logger.LogDebug("SLA cycle at {Now}: {Results} result(s), {Buckets} bucket(s) recomputed, {Observed} first response(s) observed",
            now, results.Count, buckets, firstResponses.Count);
        return new CycleReport(results, buckets, firstResponses.Count, opened, recovered);
    }

    /// <summary>The verdicts of one rule at <paramref name="now"/>, one per channel (or one for "all").</summary>
    public static async Task<IReadOnlyList<SlaResult>> EvaluateRuleAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, SlaRule rule, BusinessCalendar? calendar, DateTimeOffset now,
        IReadOnlyDictionary<(string Rule, string Channel), BreachState> states, CancellationToken ct)
    {
        var current = await SlaStore.TallyAsync(connection, tx, rule, calendar, now - rule.Window, now, now, ct);
        var previous = rule.Kind == SlaRuleKind.Csat
            ? await SlaStore.TallyAsync(connection, tx, rule, calendar, now - rule.Window * 2, now - rule.Window, now, ct)
            : null;
        // Listed channels and channels seen before are reported even when the window is empty, so that
        // a silent channel shows "insufficient data" instead of disappearing.
        var channels = rule.PerChannel
            ? rule.Scope.Channels.Concat(current.Keys).Concat(states.Keys.Where(k => k.Rule == rule.Name).Select(k => k.Channel)).Distinct().Order(StringComparer.Ordinal).ToList()
            : ["all"];
        return channels.Select(channel => SlaJudge.Judge(rule, channel, now, current.GetValueOrDefault(channel),
            previous?.GetValueOrDefault(channel))).ToList();
    }

    private static async Task EnsureCalendarsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, SlaRuleSet set, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var group in set.Rules.Where(r => r.TimeCalendar is not null).GroupBy(r => r.TimeCalendar!))
        {
            var lookback = group.Max(r => r.Lookback);
            await SlaStore.EnsureCalendarAsync(connection, tx, set.Calendars[group.Key], now - lookback - SlaStore.Bucket, now + SlaStore.Bucket, ct);
        }
    }

    private async Task<(int Opened, int Recovered)> ApplyBreachEpisodesAsync(
        IReadOnlyList<SlaResult> results, Dictionary<(string Rule, string Channel), BreachState> states, DateTimeOffset now, CancellationToken ct)
    {
        int opened = 0, recovered = 0;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        foreach (var result in results)
        {
            var current = states.GetValueOrDefault((result.Rule.Name, result.Channel)) ?? BreachState.Initial;
            var (next, action) = BreachEpisodes.Step(current, result.Status, now, result.Rule.RecoverAfter);
            var key = DedupKey(result.Rule, result.Channel);
            try
            {
                if (action == BreachAction.OpenIncident)
                {
                    await incidents.OpenAsync(Signal(key, result), ct);
                    opened++;
                }
                else if (action == BreachAction.RecordRecovery)
                {
                    var message = $"SLA rule {result.Rule.Name} ({result.Channel}) within target for {result.Rule.RecoverAfter}: {result.Summary}";
                    await incidents.RecordRecoveryAsync(key, message, ct);
                    recovered++;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The episode is not advanced, so the next cycle repeats the (deduplicated) signal.
                logger.LogError(e, "SLA rule {Rule} ({Channel}): could not {Action} the incident", result.Rule.Name, result.Channel, action);
                next = current with { Status = current.Status };
            }
            await SlaStore.SaveStateAsync(connection, result, next, ct);
        }
        return (opened, recovered);
    }

    /// <summary>One incident per rule and scope: <c>sla:{rule}:{channel}</c>.</summary>
    public static string DedupKey(SlaRule rule, string channel) => $"sla:{rule.Name}:{channel}";

    private static IncidentSignal Signal(string key, SlaResult result)
    {
        var rule = result.Rule;
        var labels = new Dictionary<string, string>
        {
            ["rule"] = rule.Name,
            ["kind"] = SlaRuleKinds.Name(rule.Kind),
            ["channel"] = result.Channel,
            ["value"] = result.Value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "",
            ["target"] = rule.Target.ToString("0.####", CultureInfo.InvariantCulture),
            ["direction"] = SlaStore.Direction(rule),
            ["samples"] = result.Samples.ToString(CultureInfo.InvariantCulture),
            ["runbook"] = SlaRuleKinds.Runbook(rule.Kind),
        };
        if (result.Detail.TryGetValue("decision", out var decision) && decision is string d)
            labels["decision"] = d;
        return new IncidentSignal(key, "sla", $"SLA breached: {rule.Name} ({result.Channel})", rule.Severity, result.Summary, labels);
    }
}

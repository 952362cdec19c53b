using System.Text.Json;
using Dapper;
using Npgsql;

namespace IncidentDesk.Sla;

/// <summary>
/// The SLA tables: calendars as instants, hourly rollups, results and per-rule state. Every method takes
/// the caller's connection and transaction so that one evaluation cycle commits as a whole.
/// </summary>
public sealed class SlaStore
{
    /// <summary>
    /// Rollup bucket width. Five minutes rather than an hour: a window's partial edge buckets are read from
    /// contacts every cycle and a changed contact recomputes its whole bucket, so small buckets keep both
    /// cheap, while summing ~2,000 rows for a 7-day window stays a single index range read.
    /// </summary>
    public static readonly TimeSpan Bucket = TimeSpan.FromMinutes(5);

    private sealed record AggregateRow(DateTime Bucket, string Channel, long Samples, long Hits, long Extra);

    private sealed record SumRow(string Channel, long Samples, long Hits, long Extra);

    private sealed record CalendarRow(string Fingerprint, DateTime CoversFrom, DateTime CoversTo);

    private sealed record RollupStateRow(string Fingerprint, DateTime BuiltAt);

    /// <summary>
    /// Makes sure the calendar's intervals cover [needFrom, needTo]; regenerates them (with margin) when
    /// they do not or when the calendar changed. Returns true when it wrote.
    /// </summary>
    public static async Task<bool> EnsureCalendarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, BusinessCalendar calendar, DateTimeOffset needFrom, DateTimeOffset needTo, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CalendarRow>(new CommandDefinition(
            "SELECT fingerprint AS Fingerprint, covers_from AS CoversFrom, covers_to AS CoversTo FROM sla_calendars WHERE name = @name",
            new { name = calendar.Name }, tx, cancellationToken: ct));
        if (row is not null && row.Fingerprint == calendar.Fingerprint && row.CoversFrom <= needFrom.UtcDateTime && row.CoversTo >= needTo.UtcDateTime)
            return false;

        // Margins so that the table is rewritten every couple of weeks, not every cycle.
        var from = new DateTimeOffset(needFrom.UtcDateTime.Date, TimeSpan.Zero).AddDays(-7);
        var to = new DateTimeOffset(needTo.UtcDateTime.Date, TimeSpan.Zero).AddDays(15);
        var intervals = calendar.OpenIntervals(from, to).ToList();
        var starts = new DateTime[intervals.Count];
        var ends = new DateTime[intervals.Count];
        var cumulative = new double[intervals.Count];
        var sum = 0.0;
        for (var i = 0; i < intervals.Count; i++)
        {
            starts[i] = intervals[i].Start.UtcDateTime;
            ends[i] = intervals[i].End.UtcDateTime;
            cumulative[i] = sum;
            sum += (intervals[i].End - intervals[i].Start).TotalSeconds;
        }
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sla_calendars WHERE name = @name", new { name = calendar.Name }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sla_calendars (name, fingerprint, covers_from, covers_to) VALUES (@name, @fingerprint, @from, @to)",
            new { name = calendar.Name, fingerprint = calendar.Fingerprint, from, to }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sla_business_intervals (calendar, starts_at, ends_at, cum_seconds)
            SELECT @name, s, e, c FROM unnest(@starts::timestamptz[], @ends::timestamptz[], @cumulative::double precision[]) AS u(s, e, c)
            """, new { name = calendar.Name, starts, ends, cumulative }, tx, cancellationToken: ct));
        return true;
    }

    /// <summary>The change-scan mark, or null before the first cycle.</summary>
    public static Task<DateTimeOffset?> WatermarkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT value FROM sla_watermarks WHERE name = @name", new { name }, tx, cancellationToken: ct));

    public static Task SaveWatermarkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, DateTimeOffset value, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sla_watermarks (name, value) VALUES (@name, @value)
            ON CONFLICT (name) DO UPDATE SET value = greatest(sla_watermarks.value, excluded.value)
            """, new { name, value }, tx, cancellationToken: ct));

    /// <summary>A bucket touched by a change, and the change's kind, source and channel (null: any channel).</summary>
    public sealed record DirtyBucket(DateTime Bucket, string Kind, string Source, string? Channel)
    {
        /// <summary>
        /// Whether a rule's rollup can be affected. Kind and source identify a contact and never change; the
        /// channel is set by the source at creation. Priority and queue do change (escalation), so they never
        /// rule a change out: the old values are no longer visible.
        /// </summary>
        public bool MayAffect(SlaRule rule) =>
            (rule.Kind switch
            {
                SlaRuleKind.PhoneServiceLevel => Kind == "call",
                SlaRuleKind.OutOfHoursShare => true,
                _ => Kind == "ticket",
            })
            && (rule.Scope.Sources.Count == 0 || rule.Scope.Sources.Contains(Source))
            && (Channel is null || rule.Scope.Channels.Count == 0 || rule.Scope.Channels.Contains(Channel));
    }

    /// <summary>Buckets touched by contacts (or ratings) ingested after <paramref name="since"/>.</summary>
    public static async Task<IReadOnlyList<DirtyBucket>> DirtyBucketsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, bool ratings, DateTimeOffset since, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<DirtyBucket>(new CommandDefinition(
            ratings ? SlaQueries.DirtyRatingBuckets : SlaQueries.DirtyContactBuckets, new { since }, tx, cancellationToken: ct));
        return rows.ToList();
    }

    /// <summary>The dirty buckets a rule has to recompute.</summary>
    public static HashSet<DateTimeOffset> DirtyFor(SlaRule rule, IReadOnlyList<DirtyBucket> dirty) =>
        dirty.Where(d => d.MayAffect(rule)).Select(d => Utc(d.Bucket)).ToHashSet();

    /// <summary>
    /// Brings the rule's rollups up to date: a full rebuild of its lookback when it is new, its
    /// definition changed or it was last rebuilt longer ago than <paramref name="rebuildEvery"/>; otherwise only the dirty buckets. Returns the
    /// number of buckets recomputed.
    /// </summary>
    public static async Task<int> MaintainRollupsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, SlaRule rule, BusinessCalendar? calendar, DateTimeOffset now,
        IReadOnlySet<DateTimeOffset> dirty, TimeSpan rebuildEvery, CancellationToken ct)
    {
        var fingerprint = rule.Fingerprint(calendar);
        var start = FloorBucket(now - rule.Lookback);
        var end = FloorBucket(now) + Bucket;
        var state = await connection.QuerySingleOrDefaultAsync<RollupStateRow>(new CommandDefinition(
            "SELECT fingerprint AS Fingerprint, built_at AS BuiltAt FROM sla_rollup_state WHERE rule = @rule", new { rule = rule.Name }, tx, cancellationToken: ct));
        var builtAt = state is null ? (DateTimeOffset?)null : Utc(state.BuiltAt);
        // The periodic rebuild is a safety net for changes the watermark cannot see (a row edited by hand,
        // a commit that lagged longer than the overlap); a clock that went backwards also rebuilds.
        var full = state is null || state.Fingerprint != fingerprint || builtAt < now - rebuildEvery || builtAt > now;
        List<DateTimeOffset> buckets;
        if (full)
        {
            buckets = [];
            for (var b = start; b < end; b += Bucket)
                buckets.Add(b);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sla_rollups WHERE rule = @rule", new { rule = rule.Name }, tx, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO sla_rollup_state (rule, fingerprint, built_at) VALUES (@rule, @fingerprint, @now)
                ON CONFLICT (rule) DO UPDATE SET fingerprint = excluded.fingerprint, built_at = excluded.built_at
                """, new { rule = rule.Name, fingerprint, now }, tx, cancellationToken: ct));
        }
        else
        {
            buckets = dirty.Where(b => b >= start && b < end).Order().ToList();
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM sla_rollups WHERE rule = @rule AND (bucket < @start OR bucket = ANY(@buckets))",
                new { rule = rule.Name, start, buckets = buckets.Select(b => b.UtcDateTime).ToArray() }, tx, cancellationToken: ct));
        }
        if (buckets.Count == 0)
            return 0;

        var parameters = Parameters(rule, calendar, now);
        parameters.Add("lo", buckets.Select(b => b.UtcDateTime).ToArray());
        parameters.Add("hi", buckets.Select(b => (b + Bucket).UtcDateTime).ToArray());
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO sla_rollups (rule, bucket, channel, samples, hits, extra)
            SELECT @rule, a.bucket, a.channel, a.samples, a.hits, a.extra FROM ({SlaQueries.Aggregate(rule.Kind)}) a
            """, parameters, tx, cancellationToken: ct));
        return buckets.Count;
    }

    /// <summary>
    /// Counts over [from, to): whole buckets from the rollups, the partial buckets at both edges from
    /// contacts, and (response kinds) the overdue unanswered tickets live. Keyed by channel label.
    /// </summary>
    public static async Task<Dictionary<string, Tally>> TallyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, SlaRule rule, BusinessCalendar? calendar, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken ct)
    {
        var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var fullFrom = CeilBucket(from);
        var fullTo = FloorBucket(to);
        var edges = new List<(DateTimeOffset, DateTimeOffset)>();
        if (fullFrom < fullTo)
        {
            var sums = await connection.QueryAsync<SumRow>(new CommandDefinition(SlaQueries.SumRollups,
                new { rule = rule.Name, from = fullFrom, to = fullTo }, tx, cancellationToken: ct));
            foreach (var s in sums)
                Add(tallies, s.Channel, new Tally(s.Samples, s.Hits, s.Extra));
            if (from < fullFrom)
                edges.Add((from, fullFrom));
            if (fullTo < to)
                edges.Add((fullTo, to));
        }
        else
        {
            edges.Add((from, to));
        }
        await AddRawAsync(connection, tx, rule, calendar, edges, from, to, now, tallies, ct);
        return tallies;
    }

    /// <summary>The naive baseline: the same counts straight from contacts over the whole window (benchmark and tests).</summary>
    public static async Task<Dictionary<string, Tally>> TallyFromContactsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, SlaRule rule, BusinessCalendar? calendar, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken ct)
    {
        var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        await AddRawAsync(connection, tx, rule, calendar, [(from, to)], from, to, now, tallies, ct);
        return tallies;
    }

    private static async Task AddRawAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, SlaRule rule, BusinessCalendar? calendar, List<(DateTimeOffset Lo, DateTimeOffset Hi)> ranges,
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, Dictionary<string, Tally> tallies, CancellationToken ct)
    {
        var parameters = Parameters(rule, calendar, now);
        if (ranges.Count > 0)
        {
            parameters.Add("lo", ranges.Select(r => r.Lo.UtcDateTime).ToArray());
            parameters.Add("hi", ranges.Select(r => r.Hi.UtcDateTime).ToArray());
            var rows = await connection.QueryAsync<AggregateRow>(new CommandDefinition(SlaQueries.Aggregate(rule.Kind), parameters, tx, cancellationToken: ct));
            foreach (var r in rows)
                Add(tallies, r.Channel, new Tally(r.Samples, r.Hits, r.Extra));
        }
        if (SlaRuleKinds.IsResponseTime(rule.Kind))
        {
            parameters.Add("from", from);
            parameters.Add("to", to);
            var overdue = await connection.QueryAsync<(string Channel, long Overdue)>(new CommandDefinition(SlaQueries.Unanswered, parameters, tx, cancellationToken: ct));
            foreach (var (channel, n) in overdue)
                Add(tallies, channel, new Tally(n, 0, 0));
        }
    }

    /// <summary>Appends results to the history.</summary>
    public static Task InsertResultsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<SlaResult> results, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sla_results (rule, kind, channel, scope, window_start, window_end, value, target, direction, samples, status, detail)
            VALUES (@Rule, @Kind, @Channel, @Scope, @WindowStart, @WindowEnd, @Value, @Target, @Direction, @Samples, @Status, @Detail::jsonb)
            """, results.Select(r => new
        {
            Rule = r.Rule.Name,
            Kind = SlaRuleKinds.Name(r.Rule.Kind),
            r.Channel,
            Scope = r.Rule.Scope.Describe(),
            r.WindowStart,
            r.WindowEnd,
            r.Value,
            r.Rule.Target,
            Direction = Direction(r.Rule),
            r.Samples,
            r.Status,
            Detail = JsonSerializer.Serialize(r.Detail),
        }), tx, cancellationToken: ct));

    /// <summary>Breach episodes of every rule and channel, keyed by (rule, channel).</summary>
    public static async Task<Dictionary<(string Rule, string Channel), BreachState>> LoadStatesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<(string Rule, string Channel, string Status, DateTimeOffset? BreachedSince, DateTimeOffset? OkSince, bool Raised)>(new CommandDefinition(
            "SELECT rule, channel, status, breached_since, ok_since, incident_raised FROM sla_rule_state", transaction: tx, cancellationToken: ct));
        return rows.ToDictionary(r => (r.Rule, r.Channel), r => new BreachState(r.Status, r.BreachedSince, r.OkSince, r.Raised));
    }

    /// <summary>Writes the latest result and the breach episode of one rule and channel.</summary>
    public static Task SaveStateAsync(NpgsqlConnection connection, SlaResult result, BreachState state, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sla_rule_state (rule, channel, kind, value, target, direction, samples, status, window_end, detail, breached_since, ok_since, incident_raised)
            VALUES (@rule, @channel, @kind, @value, @target, @direction, @samples, @status, @windowEnd, @detail::jsonb, @breachedSince, @okSince, @raised)
            ON CONFLICT (rule, channel) DO UPDATE SET kind = excluded.kind, value = excluded.value, target = excluded.target,
                direction = excluded.direction, samples = excluded.samples, status = excluded.status, window_end = excluded.window_end,
                detail = excluded.detail, breached_since = excluded.breached_since, ok_since = excluded.ok_since, incident_raised = excluded.incident_raised
            """, new
        {
            rule = result.Rule.Name,
            channel = result.Channel,
            kind = SlaRuleKinds.Name(result.Rule.Kind),
            value = result.Value,
            target = result.Rule.Target,
            direction = Direction(result.Rule),
            samples = result.Samples,
            status = result.Status,
            windowEnd = result.WindowEnd,
            detail = JsonSerializer.Serialize(result.Detail),
            breachedSince = state.BreachedSince,
            okSince = state.OkSince,
            raised = state.IncidentRaised,
        }, cancellationToken: ct));

    /// <summary>Forgets rollups and state of rules no longer in the file (their open incidents stay with people).</summary>
    public static async Task ForgetRulesExceptAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<string> keep, CancellationToken ct)
    {
        var names = keep.ToArray();
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM sla_rollups WHERE NOT (rule = ANY(@names));
            DELETE FROM sla_rollup_state WHERE NOT (rule = ANY(@names));
            DELETE FROM sla_rule_state WHERE NOT (rule = ANY(@names));
            """, new { names }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Claims the contacts whose first response became known since <paramref name="since"/> (and is not older than
    /// <paramref name="horizon"/>) and returns their channel and calendar seconds, each contact once ever.
    /// </summary>
    public static async Task<IReadOnlyList<(string Channel, double Seconds)>> ClaimFirstResponsesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset since, DateTimeOffset horizon, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM sla_first_responses_observed WHERE first_response_at < @horizon", new { horizon }, tx, cancellationToken: ct));
        var rows = await connection.QueryAsync<(string, double)>(new CommandDefinition("""
            WITH candidates AS (
                SELECT id, channel, first_response_at, extract(epoch FROM first_response_at - created_at)::double precision AS seconds
                FROM contacts
                WHERE ingested_at > @since AND first_response_at IS NOT NULL AND first_response_at >= @horizon
            ), claimed AS (
                INSERT INTO sla_first_responses_observed (contact_id, first_response_at)
                SELECT id, first_response_at FROM candidates
                ON CONFLICT (contact_id) DO NOTHING
                RETURNING contact_id
            )
            SELECT c.channel, c.seconds FROM candidates c JOIN claimed ON claimed.contact_id = c.id
            """,
            new { since, horizon }, tx, cancellationToken: ct));
        return rows.ToList();
    }

    public static Task PruneResultsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset before, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM sla_results WHERE window_end < @before", new { before }, tx, cancellationToken: ct));

    public static string Direction(SlaRule rule) => SlaRuleKinds.IsAtMost(rule.Kind) ? "at_most" : "at_least";

    /// <summary>The start of the bucket holding <paramref name="t"/> (buckets are aligned to the Unix epoch, like date_bin in SQL).</summary>
    public static DateTimeOffset FloorBucket(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return new DateTimeOffset(t.UtcTicks - (ticks % Bucket.Ticks), TimeSpan.Zero);
    }

    public static DateTimeOffset CeilBucket(DateTimeOffset t)
    {
        var floor = FloorBucket(t);
        return floor == t ? floor : floor + Bucket;
    }

    private static DynamicParameters Parameters(SlaRule rule, BusinessCalendar? calendar, DateTimeOffset now)
    {
        var p = new DynamicParameters();
        p.Add("rule", rule.Name);
        p.Add("channels", rule.Scope.Channels.ToArray());
        p.Add("priorities", rule.Scope.Priorities.ToArray());
        p.Add("sources", rule.Scope.Sources.ToArray());
        p.Add("queues", rule.Scope.Queues.ToArray());
        p.Add("per_channel", rule.PerChannel);
        p.Add("calendar", calendar?.Name, System.Data.DbType.String);
        p.Add("threshold", rule.Within?.TotalSeconds ?? 0.0);
        // The key of split_by_wait_time in queue statistics ("20" for 20 s).
        p.Add("split_key", ((int)Math.Round(rule.Within?.TotalSeconds ?? 0.0)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.Add("exclude_paused", rule.ExcludePaused);
        p.Add("critical_priorities", rule.CriticalScope.Priorities.ToArray());
        p.Add("critical_queues", rule.CriticalScope.Queues.ToArray());
        p.Add("now", now);
        return p;
    }

    private static void Add(Dictionary<string, Tally> tallies, string channel, Tally tally) =>
        tallies[channel] = tallies.TryGetValue(channel, out var t) ? t + tally : tally;

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

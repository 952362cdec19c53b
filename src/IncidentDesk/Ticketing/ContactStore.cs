using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace IncidentDesk.Ticketing;

/// <summary>
/// Writes contacts, ratings and poll cursors. A page of rows and the cursor after it are committed
/// in one transaction (<c>CommitPageAsync</c>), so a crash re-reads a page rather than skipping
/// it, and the upsert makes that re-read change nothing.
/// </summary>
public sealed class ContactStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>What one committed page changed.</summary>
    public sealed record PageResult(int ContactsWritten, int RatingsWritten);

    /// <summary>The cursor a source saved with its last committed page, or null before the first.</summary>
    public async Task<string?> LoadCursorAsync(string source, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT cursor FROM ingestion_sources WHERE source = @source", new { source }, cancellationToken: ct));
    }

    /// <summary>Upserts <paramref name="contacts"/> and <paramref name="ratings"/> and moves the cursor, all or nothing.</summary>
    public Task<PageResult> CommitPageAsync(
        string cursorKey, string? cursor, IReadOnlyCollection<Contact> contacts, IReadOnlyCollection<ContactRating> ratings, CancellationToken ct) =>
        CommitAsync(cursorKey, cursor, contacts, ratings, [], ct);

    /// <summary>Commits a source's page: its contacts, ratings and queue statistics, and the cursor after it, all or nothing.</summary>
    public Task<PageResult> CommitPageAsync(string cursorKey, SourcePage page, CancellationToken ct) =>
        CommitAsync(cursorKey, page.NextCursor, page.Contacts, page.Ratings, page.QueueStatistics, ct, page.SlaStates);

    private async Task<PageResult> CommitAsync(
        string cursorKey, string? cursor, IReadOnlyCollection<Contact> contacts, IReadOnlyCollection<ContactRating> ratings,
        IReadOnlyCollection<QueueStatistics> queueStatistics, CancellationToken ct, IReadOnlyCollection<ContactSlaState>? slaStates = null)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var written = await UpsertContactsAsync(connection, tx, contacts, now, ct);
        var rated = await UpsertRatingsAsync(connection, tx, ratings, now, ct);
        if (queueStatistics.Count > 0)
            await UpsertQueueStatisticsAsync(connection, tx, queueStatistics, now, ct);
        if (slaStates is { Count: > 0 })
            written += await ApplySlaStatesAsync(connection, tx, slaStates, now, ct);
        if (cursor is not null)
            await SaveCursorAsync(connection, tx, cursorKey, cursor, now, ct);
        await tx.CommitAsync(ct);
        return new PageResult(written, rated);
    }

    /// <summary>
    /// One statement for the whole batch (arrays unnested server-side). Returns the rows inserted or
    /// changed: a row whose source version is older, or equal and identical, is left alone.
    /// </summary>
    public static async Task<int> UpsertContactsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyCollection<Contact> contacts, DateTimeOffset now, CancellationToken ct)
    {
        if (contacts.Count == 0)
            return 0;
        // ON CONFLICT may touch a row only once per statement: keep the newest version of each id.
        var rows = contacts
            .GroupBy(c => (c.Source, c.ExternalId))
            .Select(g => g.MaxBy(c => c.SourceUpdatedAt)!)
            .ToList();
        foreach (var c in rows)
            Validate(c);

        await using var command = new NpgsqlCommand(UpsertContactsSql, connection, tx);
        Add(command, "source", NpgsqlDbType.Text, rows.Select(c => c.Source));
        Add(command, "external_id", NpgsqlDbType.Text, rows.Select(c => c.ExternalId));
        Add(command, "kind", NpgsqlDbType.Text, rows.Select(c => c.Kind == ContactKind.Call ? "call" : "ticket"));
        Add(command, "channel", NpgsqlDbType.Text, rows.Select(c => c.Channel));
        Add(command, "priority", NpgsqlDbType.Text, rows.Select(c => c.Priority));
        Add(command, "status", NpgsqlDbType.Text, rows.Select(c => c.Status));
        Add(command, "queue", NpgsqlDbType.Text, rows.Select(c => c.Queue));
        Add(command, "created_at", NpgsqlDbType.TimestampTz, rows.Select(c => (DateTime?)c.CreatedAt.UtcDateTime));
        Add(command, "first_response_at", NpgsqlDbType.TimestampTz, rows.Select(c => c.FirstResponseAt?.UtcDateTime));
        Add(command, "solved_at", NpgsqlDbType.TimestampTz, rows.Select(c => c.SolvedAt?.UtcDateTime));
        Add(command, "first_response_business_seconds", NpgsqlDbType.Integer, rows.Select(c => c.FirstResponseBusinessSeconds));
        Add(command, "on_hold_seconds", NpgsqlDbType.Integer, rows.Select(c => c.OnHoldSeconds));
        Add(command, "sla_breached", NpgsqlDbType.Boolean, rows.Select(c => c.SlaBreached));
        Add(command, "sla_paused", NpgsqlDbType.Boolean, rows.Select(c => c.SlaPaused));
        Add(command, "sla_remaining_seconds", NpgsqlDbType.Integer, rows.Select(c => c.SlaRemainingSeconds));
        Add(command, "escalated_to_tech", NpgsqlDbType.Boolean, rows.Select(c => (bool?)c.EscalatedToTech));
        Add(command, "escalated_agent_error", NpgsqlDbType.Boolean, rows.Select(c => (bool?)c.EscalatedAgentError));
        Add(command, "wait_seconds", NpgsqlDbType.Integer, rows.Select(c => c.WaitSeconds));
        Add(command, "talk_seconds", NpgsqlDbType.Integer, rows.Select(c => c.TalkSeconds));
        Add(command, "answered", NpgsqlDbType.Boolean, rows.Select(c => c.Answered));
        Add(command, "abandoned", NpgsqlDbType.Boolean, rows.Select(c => c.Abandoned));
        Add(command, "agent", NpgsqlDbType.Text, rows.Select(c => c.Agent));
        Add(command, "source_updated_at", NpgsqlDbType.TimestampTz, rows.Select(c => (DateTime?)c.SourceUpdatedAt.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Upserts ratings; a re-read of the same rating changes nothing.</summary>
    public static async Task<int> UpsertRatingsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyCollection<ContactRating> ratings, DateTimeOffset now, CancellationToken ct)
    {
        if (ratings.Count == 0)
            return 0;
        var rows = ratings.GroupBy(r => (r.Source, r.ExternalId)).Select(g => g.MaxBy(r => r.RatedAt)!).ToList();
        await using var command = new NpgsqlCommand(UpsertRatingsSql, connection, tx);
        Add(command, "source", NpgsqlDbType.Text, rows.Select(r => r.Source));
        Add(command, "external_id", NpgsqlDbType.Text, rows.Select(r => r.ExternalId));
        Add(command, "rating", NpgsqlDbType.Text, rows.Select(r => r.Good ? "good" : "bad"));
        Add(command, "rated_at", NpgsqlDbType.TimestampTz, rows.Select(r => (DateTime?)r.RatedAt.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Upserts queue statistics windows; a re-read window with the same figures changes nothing.</summary>
    public static async Task<int> UpsertQueueStatisticsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyCollection<QueueStatistics> statistics, DateTimeOffset now, CancellationToken ct)
    {
        var rows = statistics.GroupBy(s => (s.Source, s.QueueSid, s.WindowStart)).Select(g => g.Last()).ToList();
        await using var command = new NpgsqlCommand(UpsertQueueStatisticsSql, connection, tx);
        Add(command, "source", NpgsqlDbType.Text, rows.Select(s => s.Source));
        Add(command, "queue_sid", NpgsqlDbType.Text, rows.Select(s => s.QueueSid));
        Add(command, "window_start", NpgsqlDbType.TimestampTz, rows.Select(s => (DateTime?)s.WindowStart.UtcDateTime));
        Add(command, "window_end", NpgsqlDbType.TimestampTz, rows.Select(s => (DateTime?)s.WindowEnd.UtcDateTime));
        Add(command, "tasks_entered", NpgsqlDbType.Integer, rows.Select(s => (int?)s.TasksEntered));
        Add(command, "tasks_canceled", NpgsqlDbType.Integer, rows.Select(s => (int?)s.TasksCanceled));
        Add(command, "reservations_accepted", NpgsqlDbType.Integer, rows.Select(s => (int?)s.ReservationsAccepted));
        Add(command, "wait_avg", NpgsqlDbType.Double, rows.Select(s => s.WaitAvgSeconds));
        Add(command, "wait_max", NpgsqlDbType.Double, rows.Select(s => s.WaitMaxSeconds));
        Add(command, "wait_total", NpgsqlDbType.Double, rows.Select(s => s.WaitTotalSeconds));
        Add(command, "split", NpgsqlDbType.Jsonb, rows.Select(s => s.SplitByWaitTime));
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Folds SLA verdicts into <c>contact_sla_states</c> (a field the event does not mention keeps its value; an older
    /// event never overwrites a newer one) and copies them onto the contacts already stored. Returns the contacts changed.
    /// </summary>
    public static async Task<int> ApplySlaStatesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyCollection<ContactSlaState> states, DateTimeOffset now, CancellationToken ct)
    {
        var rows = states.GroupBy(x => (x.Source, x.ExternalId)).Select(g => g.MaxBy(x => x.At)!).ToList();
        await using var command = new NpgsqlCommand("""
            WITH folded AS (
                INSERT INTO contact_sla_states AS s (source, external_id, breached, paused, event_at, ingested_at)
                SELECT u.*, @now FROM unnest(@source, @external_id, @breached, @paused, @at) AS u
                ON CONFLICT (source, external_id) DO UPDATE SET
                    breached = coalesce(excluded.breached, s.breached), paused = coalesce(excluded.paused, s.paused),
                    event_at = excluded.event_at, ingested_at = excluded.ingested_at
                WHERE excluded.event_at >= s.event_at
                RETURNING s.source, s.external_id, s.breached, s.paused)
            UPDATE contacts c SET sla_breached = coalesce(f.breached, c.sla_breached), sla_paused = coalesce(f.paused, c.sla_paused), ingested_at = @now
            FROM folded f
            WHERE c.source = f.source AND c.external_id = f.external_id
              AND (c.sla_breached, c.sla_paused) IS DISTINCT FROM (coalesce(f.breached, c.sla_breached), coalesce(f.paused, c.sla_paused))
            """, connection, tx);
        Add(command, "source", NpgsqlDbType.Text, rows.Select(x => x.Source));
        Add(command, "external_id", NpgsqlDbType.Text, rows.Select(x => x.ExternalId));
        Add(command, "breached", NpgsqlDbType.Boolean, rows.Select(x => x.Breached));
        Add(command, "paused", NpgsqlDbType.Boolean, rows.Select(x => x.Paused));
        Add(command, "at", NpgsqlDbType.TimestampTz, rows.Select(x => (DateTime?)x.At.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static Task SaveCursorAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string source, string cursor, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingestion_sources (source, cursor, cursor_updated_at) VALUES (@source, @cursor, @now)
            ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, cursor_updated_at = excluded.cursor_updated_at
            """, new { source, cursor, now }, tx, cancellationToken: ct));

    private static void Validate(Contact c)
    {
        if (string.IsNullOrEmpty(c.Source) || string.IsNullOrEmpty(c.ExternalId))
            throw new ArgumentException($"contact without source or external id ({c.Source}/{c.ExternalId})");
        if (!Channels.IsValid(c.Channel))
            throw new ArgumentException($"{c.Source} contact {c.ExternalId}: unknown channel '{c.Channel}'");
        if (c.Priority is not (null or Priorities.Low or Priorities.Medium or Priorities.High or Priorities.Critical))
            throw new ArgumentException($"{c.Source} contact {c.ExternalId}: unknown priority '{c.Priority}'");
        if (c.Status is not (Statuses.New or Statuses.Open or Statuses.Pending or Statuses.OnHold or Statuses.Solved or Statuses.Closed))
            throw new ArgumentException($"{c.Source} contact {c.ExternalId}: unknown status '{c.Status}'");
    }

    private static void Add<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });

    private const string ContactColumns = """
        source, external_id, kind, channel, priority, status, queue, created_at, first_response_at, solved_at,
        first_response_business_seconds, on_hold_seconds, sla_breached, sla_paused, sla_remaining_seconds,
        escalated_to_tech, escalated_agent_error, wait_seconds, talk_seconds, answered, abandoned, agent, source_updated_at
        """;

    // Where a record says nothing of its SLA, the verdict its source reported apart from it (contact_sla_states) fills in.
    private const string UpsertContactsSql = $"""
        INSERT INTO contacts AS c ({ContactColumns}, ingested_at)
        SELECT u.source, u.external_id, u.kind, u.channel, u.priority, u.status, u.queue, u.created_at, u.first_response_at, u.solved_at,
               u.first_response_business_seconds, u.on_hold_seconds, coalesce(u.sla_breached, s.breached), coalesce(u.sla_paused, s.paused),
               u.sla_remaining_seconds, u.escalated_to_tech, u.escalated_agent_error, u.wait_seconds, u.talk_seconds, u.answered,
               u.abandoned, u.agent, u.source_updated_at, @now
        FROM unnest(
            @source, @external_id, @kind, @channel, @priority, @status, @queue, @created_at, @first_response_at, @solved_at,
            @first_response_business_seconds, @on_hold_seconds, @sla_breached, @sla_paused, @sla_remaining_seconds,
            @escalated_to_tech, @escalated_agent_error, @wait_seconds, @talk_seconds, @answered, @abandoned, @agent,
            @source_updated_at) AS u ({ContactColumns})
        LEFT JOIN contact_sla_states s ON s.source = u.source AND s.external_id = u.external_id
        ON CONFLICT (source, external_id) DO UPDATE SET
            kind = excluded.kind, channel = excluded.channel, priority = excluded.priority, status = excluded.status,
            queue = excluded.queue, created_at = excluded.created_at, first_response_at = excluded.first_response_at,
            solved_at = excluded.solved_at, first_response_business_seconds = excluded.first_response_business_seconds,
            on_hold_seconds = excluded.on_hold_seconds, sla_breached = excluded.sla_breached, sla_paused = excluded.sla_paused,
            sla_remaining_seconds = excluded.sla_remaining_seconds, escalated_to_tech = excluded.escalated_to_tech,
            escalated_agent_error = excluded.escalated_agent_error, wait_seconds = excluded.wait_seconds,
            talk_seconds = excluded.talk_seconds, answered = excluded.answered, abandoned = excluded.abandoned,
            agent = excluded.agent, source_updated_at = excluded.source_updated_at, ingested_at = excluded.ingested_at
        -- Newer wins; an equal version is rewritten only if it differs (a source may change a record
        -- without moving its timestamp), so re-reading a page changes nothing, ingested_at included.
        WHERE excluded.source_updated_at > c.source_updated_at
           OR (excluded.source_updated_at = c.source_updated_at
               AND (c.kind, c.channel, c.priority, c.status, c.queue, c.created_at, c.first_response_at, c.solved_at,
                    c.first_response_business_seconds, c.on_hold_seconds, c.sla_breached, c.sla_paused, c.sla_remaining_seconds,
                    c.escalated_to_tech, c.escalated_agent_error, c.wait_seconds, c.talk_seconds, c.answered, c.abandoned, c.agent)
                   IS DISTINCT FROM
                   (excluded.kind, excluded.channel, excluded.priority, excluded.status, excluded.queue, excluded.created_at,
                    excluded.first_response_at, excluded.solved_at, excluded.first_response_business_seconds, excluded.on_hold_seconds,
                    excluded.sla_breached, excluded.sla_paused, excluded.sla_remaining_seconds, excluded.escalated_to_tech,
                    excluded.escalated_agent_error, excluded.wait_seconds, excluded.talk_seconds, excluded.answered,
                    excluded.abandoned, excluded.agent))
        """;

    private const string UpsertQueueStatisticsSql = """
        INSERT INTO queue_statistics AS q (
            source, queue_sid, window_start, window_end, tasks_entered, tasks_canceled, reservations_accepted,
            wait_avg_seconds, wait_max_seconds, wait_total_seconds, split_by_wait_time, ingested_at)
        SELECT u.*, @now
        FROM unnest(@source, @queue_sid, @window_start, @window_end, @tasks_entered, @tasks_canceled, @reservations_accepted,
                    @wait_avg, @wait_max, @wait_total, @split) AS u
        ON CONFLICT (source, queue_sid, window_start) DO UPDATE SET
            window_end = excluded.window_end, tasks_entered = excluded.tasks_entered, tasks_canceled = excluded.tasks_canceled,
            reservations_accepted = excluded.reservations_accepted, wait_avg_seconds = excluded.wait_avg_seconds,
            wait_max_seconds = excluded.wait_max_seconds, wait_total_seconds = excluded.wait_total_seconds,
            split_by_wait_time = excluded.split_by_wait_time, ingested_at = excluded.ingested_at
        WHERE (q.window_end, q.tasks_entered, q.tasks_canceled, q.reservations_accepted, q.wait_avg_seconds, q.wait_max_seconds,
               q.wait_total_seconds, q.split_by_wait_time)
              IS DISTINCT FROM
              (excluded.window_end, excluded.tasks_entered, excluded.tasks_canceled, excluded.reservations_accepted,
               excluded.wait_avg_seconds, excluded.wait_max_seconds, excluded.wait_total_seconds, excluded.split_by_wait_time)
        """;

    private const string UpsertRatingsSql = """
        INSERT INTO contact_ratings AS r (source, external_id, rating, rated_at, ingested_at)
        SELECT u.*, @now FROM unnest(@source, @external_id, @rating, @rated_at) AS u
        ON CONFLICT (source, external_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at, ingested_at = excluded.ingested_at
        WHERE excluded.rated_at > r.rated_at OR (excluded.rated_at = r.rated_at AND excluded.rating <> r.rating)
        """;
}

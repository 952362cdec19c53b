using Dapper;
using Npgsql;

namespace IncidentDesk.Paging;

/// <summary>A page to put into the outbox.</summary>
public sealed record NewPage(long IncidentId, string Person, string PersonName, string Channel, string Address, int Attempt, int Level, string Title, string Severity, string? Summary)
{
    /// <summary>One key per (incident, person, channel, attempt); also the e-mail Message-ID and the Slack message metadata.</summary>
    public string IdempotencyKey => Purpose is null ? Key(IncidentId, Person, Channel, Attempt) : $"{Key(IncidentId, Person, Channel, Attempt)}.{Purpose}";

    /// <summary>Set for pages outside the escalation rounds (e.g. an overdue runbook step), so their keys never collide with a round's.</summary>
    public string? Purpose { get; init; }

    public static string Key(long incidentId, string person, string channel, int attempt) => $"i{incidentId}.{person}.{channel}.{attempt}";
}

/// <summary>A page row as the API shows it.</summary>
public sealed record PageRow
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string Person { get; init; } = "";
    public string Channel { get; init; } = "";
    public int Attempt { get; init; }
    public int Level { get; init; }
    public string Status { get; init; } = "";
    public int Tries { get; init; }
    public int Failures { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? LastError { get; init; }
    public long? FallbackOf { get; init; }
}

/// <summary>A claimed outbox row.</summary>
public sealed record ClaimedPage
{
    public long Id { get; init; }
    public long IncidentId { get; init; }
    public string Kind { get; init; } = "";
    public string Person { get; init; } = "";
    public string PersonName { get; init; } = "";
    public string Channel { get; init; } = "";
    public string Address { get; init; } = "";
    public int Attempt { get; init; }
    public int Level { get; init; }
    public string IdempotencyKey { get; init; } = "";
    public string Title { get; init; } = "";
    public string Severity { get; init; } = "";
    public string? Summary { get; init; }
    public int Failures { get; init; }
    public bool WasInDoubt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long? FallbackOf { get; init; }

    public PageMessage ToMessage() => new(Id, IncidentId, IdempotencyKey, Person, PersonName, Address, Attempt, Level, Title, Severity, Summary, WasInDoubt, CreatedAt);
}

/// <summary>The escalation state of one incident.</summary>
public sealed record EscalationRow
{
    public long IncidentId { get; init; }
    public int Level { get; init; }
    public int Attempt { get; init; }
    public DateTimeOffset LevelStartedAt { get; init; }
    public DateTimeOffset NextAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
}

/// <summary>The paging outbox and escalation state; SQL lives here, beside the code that uses it.</summary>
public sealed class PageStore(NpgsqlDataSource dataSource)
{
    /// <summary>The channel senders LISTEN on; a NOTIFY inside a transaction is delivered when it commits.</summary>
    public const string NotifyChannel = "incidentdesk_pages";

    public static async Task InsertPagesAsync(NpgsqlTransaction tx, IEnumerable<NewPage> pages, DateTimeOffset now, CancellationToken ct, long? fallbackOf = null)
    {
        foreach (var page in pages)
        {
            await tx.Connection!.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pages (incident_id, person, person_name, channel, address, attempt, level, idempotency_key,
                                   title, severity, summary, status, created_at, due_at, fallback_of)
                VALUES (@IncidentId, @Person, @PersonName, @Channel, @Address, @Attempt, @Level, @IdempotencyKey,
                        @Title, @Severity, @Summary, 'pending', @now, @now, @fallbackOf)
                ON CONFLICT (idempotency_key) DO NOTHING
                """, new { page.IncidentId, page.Person, page.PersonName, page.Channel, page.Address, page.Attempt, page.Level, page.IdempotencyKey, page.Title, page.Severity, page.Summary, now, fallbackOf },
                tx, cancellationToken: ct));
        }
        await WakeSendersAsync(tx, ct);
    }

    public static Task WakeSendersAsync(NpgsqlTransaction tx, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition($"SELECT pg_notify('{NotifyChannel}', '')", transaction: tx, cancellationToken: ct));

    public static Task StartEscalationAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset now, DateTimeOffset nextAt, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO escalations (incident_id, level, attempt, level_started_at, next_at) VALUES (@incidentId, 1, 1, @now, @nextAt)
            ON CONFLICT (incident_id) DO NOTHING
            """, new { incidentId, now, nextAt }, tx, cancellationToken: ct));

    /// <summary>
    /// Stops the escalation, then cancels every pending page. In that order: the escalation job holds the
    /// escalation row while it inserts a round of pages, so waiting for it first means its pages are cancelled too.
    /// </summary>
    public static async Task StopAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset now, CancellationToken ct)
    {
        await tx.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE escalations SET stopped_at = @now WHERE incident_id = @incidentId AND stopped_at IS NULL",
            new { incidentId, now }, tx, cancellationToken: ct));
        await tx.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE pages SET status = 'cancelled' WHERE incident_id = @incidentId AND status = 'pending' AND kind = 'page'",
            new { incidentId }, tx, cancellationToken: ct));
    }

    /// <summary>Queues the edit of the incident's Slack messages to say who acknowledged (once per incident).</summary>
    public static async Task InsertAckNoticeAsync(NpgsqlTransaction tx, long incidentId, string by, string title, string severity, DateTimeOffset now, CancellationToken ct)
    {
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pages (incident_id, kind, person, person_name, channel, address, attempt, level, idempotency_key,
                               title, severity, status, created_at, due_at)
            VALUES (@incidentId, 'ack-notice', @by, @by, 'slack', '', 0, 0, 'i' || @incidentId || '.ack-notice', @title, @severity, 'pending', @now, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            """, new { incidentId, by, title, severity, now }, tx, cancellationToken: ct));
        await WakeSendersAsync(tx, ct);
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due pages for <paramref name="node"/> until the lease runs out. SKIP LOCKED
    /// lets nodes claim side by side; an expired lease (a dead node) makes a row claimable again, and
    /// <c>in_doubt</c> tells the next claimer that the previous one never reported back.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedPage>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ClaimedPage>(new CommandDefinition("""
            WITH due AS (
                SELECT id, in_doubt FROM pages
                WHERE status = 'pending' AND due_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
                ORDER BY due_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE pages p SET claimed_by = @node, claimed_until = @until, tries = p.tries + 1, in_doubt = true
            FROM due WHERE p.id = due.id
            RETURNING p.id, p.incident_id AS IncidentId, p.kind, p.person, p.person_name AS PersonName, p.channel, p.address,
                      p.attempt, p.level, p.idempotency_key AS IdempotencyKey, p.title, p.severity, p.summary,
                      p.failures, due.in_doubt AS WasInDoubt, p.created_at AS CreatedAt, p.fallback_of AS FallbackOf
            """, new { node, now, until = now + lease, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Renews the claim right before the send and tells whether it is still ours: a row that waited in a batch past
    /// its lease may have been retaken by another node, which then sends it instead.
    /// </summary>
    public async Task<bool> RenewAsync(long id, string node, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pages SET claimed_until = @until WHERE id = @id AND claimed_by = @node AND claimed_until >= @now AND status = 'pending'",
            new { id, node, now, until = now + lease }, cancellationToken: ct)) == 1;
    }

    /// <summary>Records a delivery. Cancelled rows are marked sent too: the message exists and must be edited after the ack.</summary>
    public async Task<bool> MarkSentAsync(long id, string node, DateTimeOffset now, string? slackChannel, string? slackTs, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pages SET status = 'sent', sent_at = @now, in_doubt = false, claimed_by = NULL, claimed_until = NULL,
                             slack_channel = coalesce(@slackChannel, slack_channel), slack_ts = coalesce(@slackTs, slack_ts)
            WHERE id = @id AND claimed_by = @node AND status IN ('pending', 'cancelled')
            """, new { id, node, now, slackChannel, slackTs }, cancellationToken: ct)) == 1;
    }

    /// <summary>Records a failed try and when to try again; the lease is released so any node may retry.</summary>
    public async Task MarkFailedAsync(long id, string node, string error, DateTimeOffset retryAt, bool inDoubt, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pages SET failures = failures + 1, last_error = @error, due_at = @retryAt, in_doubt = @inDoubt,
                             claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND claimed_by = @node
            """, new { id, node, error = error.Length > 500 ? error[..500] : error, retryAt, inDoubt }, cancellationToken: ct));
    }

    /// <summary>Queues the same page on another channel (idempotent: a page that already exists on it is left alone).</summary>
    public async Task InsertFallbackAsync(NewPage page, long fallbackOf, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Only while the original is still wanted: an acknowledged incident needs no fallback.
        var wanted = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pages WHERE id = @fallbackOf AND status = 'pending')", new { fallbackOf }, tx, cancellationToken: ct));
        if (wanted)
            await InsertPagesAsync(tx, [page], now, ct, fallbackOf);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<(string Channel, string Ts)>> SentSlackMessagesAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<(string, string)>(new CommandDefinition("""
            SELECT slack_channel, slack_ts FROM pages
            WHERE incident_id = @incidentId AND kind = 'page' AND channel = 'slack' AND slack_ts IS NOT NULL ORDER BY id
            """, new { incidentId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<PageRow>> ListAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<PageRow>(new CommandDefinition("""
            SELECT id, kind, person, channel, attempt, level, status, tries, failures, created_at AS CreatedAt, sent_at AS SentAt,
                   last_error AS LastError, fallback_of AS FallbackOf
            FROM pages WHERE incident_id = @incidentId ORDER BY id
            """, new { incidentId }, cancellationToken: ct))).AsList();
    }

    public static Task<EscalationRow?> LockEscalationAsync(NpgsqlTransaction tx, long incidentId, CancellationToken ct) =>
        tx.Connection!.QuerySingleOrDefaultAsync<EscalationRow>(new CommandDefinition("""
            SELECT incident_id AS IncidentId, level, attempt, level_started_at AS LevelStartedAt, next_at AS NextAt, stopped_at AS StoppedAt
            FROM escalations WHERE incident_id = @incidentId FOR UPDATE
            """, new { incidentId }, tx, cancellationToken: ct));

    public static Task UpdateEscalationAsync(NpgsqlTransaction tx, EscalationRow row, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE escalations SET level = @Level, attempt = @Attempt, level_started_at = @LevelStartedAt, next_at = @NextAt, stopped_at = @StoppedAt
            WHERE incident_id = @IncidentId
            """, row, tx, cancellationToken: ct));

    /// <summary>Active escalations whose next step is overdue by more than <paramref name="grace"/>: their trigger may be lost.</summary>
    public async Task<IReadOnlyList<long>> OverdueEscalationsAsync(DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT incident_id FROM escalations WHERE stopped_at IS NULL AND next_at < @before ORDER BY next_at LIMIT 500",
            new { before = now - grace }, cancellationToken: ct))).AsList();
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace IncidentDesk.Runbooks;

/// <summary>A step of one incident's runbook, as stored.</summary>
public sealed record StepRow
{
    public long IncidentId { get; init; }
    public string StepId { get; init; } = "";
    public int Position { get; init; }
    public string Runbook { get; init; } = "";
    public string Kind { get; init; } = "";
    public string OwnerRole { get; init; } = "";
    public string[] AfterSteps { get; init; } = [];
    public string Status { get; init; } = "";
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? OverduePagedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? CompletedBy { get; init; }
    public string ResultJson { get; init; } = "{}";

    public bool IsFinished => Status is StepStatus.Done or StepStatus.Reversed;

    public JsonObject Result => JsonNode.Parse(ResultJson)?.AsObject() ?? [];
}

public static class StepStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Retrying = "retrying";
    public const string Done = "done";
    public const string Reversed = "reversed";
}

/// <summary>The SQL of runbook steps, notices and ETAs. Methods taking a transaction run inside the incident's.</summary>
public sealed class RunbookStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        incident_id AS IncidentId, step_id AS StepId, position, runbook, kind, owner_role AS OwnerRole, after_steps AS AfterSteps,
        status, due_at AS DueAt, next_attempt_at AS NextAttemptAt, attempts, last_error AS LastError,
        overdue_paged_at AS OverduePagedAt, completed_at AS CompletedAt, completed_by AS CompletedBy, result::text AS ResultJson
        """;

    public static async Task AttachAsync(NpgsqlTransaction tx, long incidentId, Runbook runbook, DateTimeOffset openedAt, CancellationToken ct)
    {
        var position = 0;
        foreach (var step in runbook.Steps)
        {
            // Automated steps without 'after' wait for the step before them: the runbook's order is the default plan.
            var after = step.After.Count > 0 || position == 0 ? step.After.ToArray() : [runbook.Steps[position - 1].Id];
            await tx.Connection!.ExecuteAsync(new CommandDefinition("""
                INSERT INTO runbook_steps (incident_id, step_id, position, runbook, kind, owner_role, after_steps, status, due_at)
                VALUES (@incidentId, @Id, @position, @runbook, @Kind, @Owner, @after, 'pending', @due)
                ON CONFLICT DO NOTHING
                """, new
            {
                incidentId,
                step.Id,
                position,
                runbook = runbook.Name,
                step.Kind,
                step.Owner,
                after,
                due = step.Kind == StepKinds.Review ? (DateTimeOffset?)null : openedAt + step.Deadline,
            }, tx, cancellationToken: ct));
            position++;
        }
    }

    public static async Task<IReadOnlyList<StepRow>> StepsAsync(NpgsqlTransaction tx, long incidentId, CancellationToken ct) =>
        (await tx.Connection!.QueryAsync<StepRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runbook_steps WHERE incident_id = @incidentId ORDER BY position FOR UPDATE", new { incidentId }, tx, cancellationToken: ct))).ToList();

    public async Task<IReadOnlyList<StepRow>> StepsAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StepRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runbook_steps WHERE incident_id = @incidentId ORDER BY position", new { incidentId }, cancellationToken: ct))).ToList();
    }

    public async Task<StepRow?> StepAsync(long incidentId, string stepId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StepRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runbook_steps WHERE incident_id = @incidentId AND step_id = @stepId", new { incidentId, stepId }, cancellationToken: ct));
    }

    /// <summary>
    /// Automated steps of open incidents whose attempt time has come (or that never ran). Dependencies are
    /// checked by the caller. A 'running' row is one whose last run died with its process: it runs again.
    /// </summary>
    public async Task<IReadOnlyList<StepRow>> DueAutomatedStepsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StepRow>(new CommandDefinition($"""
            SELECT {Columns} FROM runbook_steps s
            WHERE s.kind = ANY(@kinds) AND s.status IN ('pending', 'running', 'retrying')
              AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= @now)
              AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = s.incident_id AND i.status IN ('acknowledged', 'mitigating', 'triggered'))
            ORDER BY s.incident_id, s.position
            """, new { kinds = StepKinds.Automated.ToArray(), now }, cancellationToken: ct))).ToList();
    }

    /// <summary>Unfinished steps past their deadline whose owner has not been paged yet, on incidents where the step still matters.</summary>
    public async Task<IReadOnlyList<StepRow>> OverdueStepsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StepRow>(new CommandDefinition($"""
            SELECT {Columns} FROM runbook_steps s
            WHERE s.status IN ('pending', 'running', 'retrying') AND s.due_at <= @now AND s.overdue_paged_at IS NULL
              AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = s.incident_id
                          AND (i.status IN ('triggered', 'acknowledged', 'mitigating') OR (i.status = 'resolved' AND s.kind = 'review')))
            ORDER BY s.due_at
            """, new { now }, cancellationToken: ct))).ToList();
    }

    /// <summary>Done escalations of unreviewed incidents whose Jira status was last looked at before <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<StepRow>> EscalationsToFollowAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StepRow>(new CommandDefinition($"""
            SELECT {Columns} FROM runbook_steps s
            WHERE s.kind = 'escalate' AND s.status = 'done' AND s.result ? 'jiraKey'
              AND coalesce((s.result->>'followedAt')::timestamptz, '-infinity') < @before
              AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = s.incident_id AND i.status <> 'reviewed')
            """, new { before }, cancellationToken: ct))).ToList();
    }

    public async Task MarkRunningAsync(StepRow step, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runbook_steps SET status = 'running', attempts = attempts + 1 WHERE incident_id = @IncidentId AND step_id = @StepId",
            step, cancellationToken: ct));
    }

    /// <summary>Merges <paramref name="result"/> into the step's result: the record an automated step keeps before and after each call.</summary>
    public async Task SaveResultAsync(long incidentId, string stepId, JsonObject result, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runbook_steps SET result = result || @json::jsonb WHERE incident_id = @incidentId AND step_id = @stepId",
            new { incidentId, stepId, json = result.ToJsonString() }, cancellationToken: ct));
    }

    public async Task ScheduleRetryAsync(StepRow step, string error, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE runbook_steps SET status = 'retrying', last_error = @error, next_attempt_at = @at
            WHERE incident_id = @IncidentId AND step_id = @StepId AND status IN ('pending', 'running', 'retrying')
            """, new { step.IncidentId, step.StepId, error, at }, cancellationToken: ct));
    }

    /// <summary>Completes a step once; false when it was already finished (a repeated completion changes nothing).</summary>
    public static async Task<bool> CompleteAsync(NpgsqlTransaction tx, long incidentId, string stepId, string by, DateTimeOffset now, string status, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE runbook_steps SET status = @status, completed_at = @now, completed_by = @by, last_error = NULL, next_attempt_at = NULL
            WHERE incident_id = @incidentId AND step_id = @stepId AND status NOT IN ('done', 'reversed')
            """, new { incidentId, stepId, by, now, status }, tx, cancellationToken: ct)) == 1;

    public async Task<bool> CompleteAsync(long incidentId, string stepId, string by, DateTimeOffset now, string eventKind, string message, object? data, CancellationToken ct, string status = StepStatus.Done)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await CompleteAsync(tx, incidentId, stepId, by, now, status, ct))
            return false;
        await AppendEventAsync(tx, incidentId, now, by, eventKind, message, data, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Marks a done rollback step reversed, with its timeline line, in one transaction.</summary>
    public async Task MarkReversedAsync(long incidentId, string stepId, string by, DateTimeOffset now, string message, object data, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runbook_steps SET status = 'reversed', completed_by = @by, completed_at = @now WHERE incident_id = @incidentId AND step_id = @stepId AND status = 'done'",
            new { incidentId, stepId, by, now }, tx, cancellationToken: ct));
        await AppendEventAsync(tx, incidentId, now, by, "step-reversed", message, data, ct);
        await tx.CommitAsync(ct);
    }

    public static async Task SetReviewDueAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset resolvedAt, IReadOnlyDictionary<string, TimeSpan> deadlines, CancellationToken ct)
    {
        foreach (var (stepId, deadline) in deadlines)
            await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE runbook_steps SET due_at = @due WHERE incident_id = @incidentId AND step_id = @stepId AND due_at IS NULL",
                new { incidentId, stepId, due = resolvedAt + deadline }, tx, cancellationToken: ct));
    }

    public async Task MarkOverduePagedAsync(StepRow step, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runbook_steps SET overdue_paged_at = @now WHERE incident_id = @IncidentId AND step_id = @StepId",
            new { step.IncidentId, step.StepId, now }, cancellationToken: ct));
    }

    /// <summary>Re-opens done communicate steps so that a changed ETA is announced (the notices are keyed by ETA version).</summary>
    public async Task<int> ReopenCommunicateStepsAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset now, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE runbook_steps SET status = 'pending', next_attempt_at = @now, completed_at = NULL, completed_by = NULL, overdue_paged_at = NULL
            WHERE incident_id = @incidentId AND kind = 'communicate' AND status = 'done'
            """, new { incidentId, now }, tx, cancellationToken: ct));

    /// <summary>
    /// Appends to the incident's timeline inside the caller's transaction. IncidentService.AddEventAsync opens its
    /// own connection; listeners need the incident's transaction, so the insert is repeated here.
    /// </summary>
    public static async Task AppendEventAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset at, string actor, string kind, string message, object? data, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_events (incident_id, at, actor, kind, message, data) VALUES (@incidentId, @at, @actor, @kind, @message, @data::jsonb)
            """, new { incidentId, at, actor, kind, message, data = data is null ? null : JsonSerializer.Serialize(data) }, tx, cancellationToken: ct));

    // ---- ETA ----

    public sealed record Eta(DateTimeOffset At, int Version);

    public async Task<Eta?> EtaAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Eta>(new CommandDefinition(
            "SELECT eta AS At, version FROM incident_etas WHERE incident_id = @incidentId", new { incidentId }, cancellationToken: ct));
    }

    /// <summary>Sets the ETA only if none is set (the runbook's default); returns the ETA in force.</summary>
    public async Task<Eta> EnsureEtaAsync(long incidentId, DateTimeOffset eta, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_etas (incident_id, eta, version, set_by, set_at) VALUES (@incidentId, @eta, 1, @by, @now)
            ON CONFLICT (incident_id) DO NOTHING
            """, new { incidentId, eta, by, now }, cancellationToken: ct));
        return await connection.QuerySingleAsync<Eta>(new CommandDefinition(
            "SELECT eta AS At, version FROM incident_etas WHERE incident_id = @incidentId", new { incidentId }, cancellationToken: ct));
    }

    /// <summary>Sets a new ETA (version + 1) in the caller's transaction; null when it equals the current one.</summary>
    public static async Task<Eta?> ChangeEtaAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset eta, string by, DateTimeOffset now, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<Eta>(new CommandDefinition("""
            INSERT INTO incident_etas (incident_id, eta, version, set_by, set_at) VALUES (@incidentId, @eta, 1, @by, @now)
            ON CONFLICT (incident_id) DO UPDATE SET eta = excluded.eta, version = incident_etas.version + 1, set_by = excluded.set_by, set_at = excluded.set_at
                WHERE incident_etas.eta <> excluded.eta
            RETURNING eta AS At, version
            """, new { incidentId, eta, by, now }, tx, cancellationToken: ct));

    // ---- customer notices ----

    public sealed record NoticeKey(long IncidentId, string StepId, string TicketId, string Channel, int EtaVersion);

    public async Task<string?> NoticeStateAsync(NoticeKey key, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT state FROM runbook_notices
            WHERE incident_id = @IncidentId AND step_id = @StepId AND ticket_id = @TicketId AND channel = @Channel AND eta_version = @EtaVersion
            """, key, cancellationToken: ct));
    }

    public async Task SetNoticeStateAsync(NoticeKey key, string messageKey, string state, string? language, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO runbook_notices (incident_id, step_id, ticket_id, channel, eta_version, message_key, state, language, updated_at)
            VALUES (@IncidentId, @StepId, @TicketId, @Channel, @EtaVersion, @messageKey, @state, @language, @now)
            ON CONFLICT (incident_id, step_id, ticket_id, channel, eta_version)
            DO UPDATE SET state = excluded.state, language = coalesce(excluded.language, runbook_notices.language), updated_at = excluded.updated_at
            """, new { key.IncidentId, key.StepId, key.TicketId, key.Channel, key.EtaVersion, messageKey, state, language, now }, cancellationToken: ct));
    }

    /// <summary>Forgets a 'sending' record whose send certainly did not happen (the server refused before taking the message).</summary>
    public async Task DeleteNoticeAsync(NoticeKey key, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM runbook_notices
            WHERE incident_id = @IncidentId AND step_id = @StepId AND ticket_id = @TicketId AND channel = @Channel AND eta_version = @EtaVersion AND state = 'sending'
            """, key, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<(string Channel, string State, long Count)>> NoticeCountsAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<(string, string, long)>(new CommandDefinition(
            "SELECT channel, state, count(*) FROM runbook_notices WHERE incident_id = @incidentId GROUP BY channel, state ORDER BY channel, state",
            new { incidentId }, cancellationToken: ct))).ToList();
    }
}

using System.Text.Json;
using Dapper;
using Npgsql;
using Prometheus;

namespace IncidentDesk.Incidents;

/// <summary>
/// Reacts to incident changes inside the transaction that made them, so the reaction (a page in the
/// outbox, a runbook step) is committed with the change or not at all. Write rows only: no network I/O here.
/// </summary>
public interface IIncidentListener
{
    Task OnChangedAsync(IncidentChange change, NpgsqlTransaction transaction, CancellationToken ct);
}

/// <summary>A section other capabilities add to <c>GET /api/v1/incidents/{id}</c> (pages, runbook steps), read through their own stores.</summary>
public interface IIncidentDetails
{
    /// <summary>The property name in the response, e.g. <c>pages</c>.</summary>
    string Name { get; }

    Task<object?> GetAsync(long incidentId, CancellationToken ct);
}

/// <summary>Outcome of a lifecycle move requested by a person or a step.</summary>
public enum TransitionResult
{
    Done,
    AlreadyThere,
    NotFound,
    NotAllowed,
}

/// <summary>The one entry point for incidents: open (deduplicated), move through the lifecycle, write the timeline.</summary>
public sealed class IncidentService(NpgsqlDataSource dataSource, TimeProvider time, IEnumerable<IIncidentListener> listeners)
{
    private const string Columns = """
        id, dedup_key AS DedupKey, source, title, severity, status, summary, labels::text AS Labels,
        opened_at AS OpenedAt, last_signal_at AS LastSignalAt, signal_count AS SignalCount,
        acknowledged_at AS AcknowledgedAt, acknowledged_by AS AcknowledgedBy, resolved_at AS ResolvedAt, resolved_by AS ResolvedBy
        """;

    private static readonly Gauge OpenIncidents = Metrics.CreateGauge(
        "incidentdesk_incidents_open", "Incidents not yet resolved, by severity.", "severity");

    private static readonly Gauge Unacknowledged = Metrics.CreateGauge(
        "incidentdesk_incidents_unacknowledged", "Open incidents nobody has acknowledged yet (status triggered).");

    private static readonly Gauge OldestUnacknowledgedAge = Metrics.CreateGauge(
        "incidentdesk_oldest_unacknowledged_incident_age_seconds", "Age of the oldest incident still in status triggered; 0 when there is none.");

    private readonly IIncidentListener[] listeners = listeners.ToArray();

    /// <summary>Opens an incident for the signal, or adds the signal to the open incident with the same dedup key.</summary>
    public async Task<OpenResult> OpenAsync(IncidentSignal signal, CancellationToken ct)
    {
        if (!Severities.All.Contains(signal.Severity))
            throw new ArgumentException($"unknown severity '{signal.Severity}'", nameof(signal));
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // xmax = 0 only for a freshly inserted row: tells a new incident from a repeat signal in one round trip.
        var (id, created) = await connection.QuerySingleAsync<(long, bool)>(new CommandDefinition("""
            INSERT INTO incidents (dedup_key, source, title, severity, status, summary, labels, opened_at, last_signal_at)
            VALUES (@DedupKey, @Source, @Title, @Severity, 'triggered', @Summary, @labels::jsonb, @now, @now)
            ON CONFLICT (dedup_key) WHERE status IN ('triggered', 'acknowledged', 'mitigating')
            DO UPDATE SET last_signal_at = excluded.last_signal_at, signal_count = incidents.signal_count + 1
            RETURNING id, xmax = 0
            """,
            new { signal.DedupKey, signal.Source, signal.Title, signal.Severity, signal.Summary, labels = JsonSerializer.Serialize(signal.Labels ?? new Dictionary<string, string>()), now },
            tx, cancellationToken: ct));
        await InsertEventAsync(connection, tx, id, now, signal.Actor, created ? "triggered" : "signal",
            created ? $"{signal.Source}: {signal.Title}" : $"repeat signal from {signal.Source}: {signal.Title}", ct);
        await NotifyAsync(created ? IncidentChangeKind.Opened : IncidentChangeKind.Signalled, connection, tx, id, signal.Actor, ct);
        await tx.CommitAsync(ct);
        return new OpenResult(id, created);
    }

    /// <summary>Acknowledges a triggered incident. Acknowledging twice is harmless and reported as such.</summary>
    public Task<TransitionResult> AcknowledgeAsync(long id, string by, string via, CancellationToken ct) =>
        MoveAsync(id, IncidentStatus.Acknowledged, by, $"acknowledged by {by} via {via}", ct);

    /// <summary>Resolves an open incident.</summary>
    public Task<TransitionResult> ResolveAsync(long id, string by, string message, CancellationToken ct) =>
        MoveAsync(id, IncidentStatus.Resolved, by, message, ct);

    /// <summary>Resolves the open incident with this dedup key, if there is one (e.g. Alertmanager's "resolved").</summary>
    public async Task<TransitionResult> ResolveByKeyAsync(string dedupKey, string by, string message, CancellationToken ct)
    {
        var id = await FindOpenAsync(dedupKey, ct);
        return id is null ? TransitionResult.NotFound : await ResolveAsync(id.Value, by, message, ct);
    }

    /// <summary>
    /// Records on the timeline that the condition behind the open incident with this key has recovered.
    /// Resolution stays with people: the status does not change. Returns false when no incident is open.
    /// </summary>
    public async Task<bool> RecordRecoveryAsync(string dedupKey, string message, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM incidents WHERE dedup_key = @dedupKey AND status IN ('triggered', 'acknowledged', 'mitigating') FOR UPDATE",
            new { dedupKey }, tx, cancellationToken: ct));
        if (id is null)
            return false;
        await InsertEventAsync(connection, tx, id.Value, time.GetUtcNow(), "system", "recovered", message, ct);
        await NotifyAsync(IncidentChangeKind.Recovered, connection, tx, id.Value, "system", ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Moves an incident along the lifecycle (see <see cref="IncidentStatus.CanMove"/>), recording who and when.</summary>
    public async Task<TransitionResult> MoveAsync(long id, string to, string actor, string message, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var current = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT status FROM incidents WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));
        if (current is null)
            return TransitionResult.NotFound;
        if (current == to)
            return TransitionResult.AlreadyThere;
        if (!IncidentStatus.CanMove(current, to))
            return TransitionResult.NotAllowed;

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE incidents SET status = @to,
                acknowledged_at = CASE WHEN @to = 'acknowledged' THEN @now ELSE acknowledged_at END,
                acknowledged_by = CASE WHEN @to = 'acknowledged' THEN @actor ELSE acknowledged_by END,
                resolved_at = CASE WHEN @to = 'resolved' THEN @now ELSE resolved_at END,
                resolved_by = CASE WHEN @to = 'resolved' THEN @actor ELSE resolved_by END
            WHERE id = @id
            """, new { id, to, now, actor }, tx, cancellationToken: ct));
        await InsertEventAsync(connection, tx, id, now, actor, to, message, ct);
        await NotifyAsync(to == IncidentStatus.Acknowledged ? IncidentChangeKind.Acknowledged : IncidentChangeKind.StatusChanged, connection, tx, id, actor, ct);
        await tx.CommitAsync(ct);
        return TransitionResult.Done;
    }

    /// <summary>Appends a line to the timeline (a step done, a page sent, a note).</summary>
    public async Task AddEventAsync(long id, string actor, string kind, string message, object? data, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_events (incident_id, at, actor, kind, message, data)
            VALUES (@id, @at, @actor, @kind, @message, @data::jsonb)
            """, new { id, at = time.GetUtcNow(), actor, kind, message, data = data is null ? null : JsonSerializer.Serialize(data) }, cancellationToken: ct));
    }

    public async Task<Incident?> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Incident>(new CommandDefinition(
            $"SELECT {Columns} FROM incidents WHERE id = @id", new { id }, cancellationToken: ct));
        return row;
    }

    /// <summary>Incidents newest first; <paramref name="status"/> is a status, <c>open</c>, or null for all.</summary>
    public async Task<IReadOnlyList<Incident>> ListAsync(string? status, int limit, CancellationToken ct)
    {
        var statuses = status switch
        {
            null or "" => null,
            "open" => IncidentStatus.Open.ToArray(),
            _ => [status],
        };
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Incident>(new CommandDefinition($"""
            SELECT {Columns} FROM incidents
            WHERE @statuses::text[] IS NULL OR status = ANY(@statuses)
            ORDER BY opened_at DESC, id DESC LIMIT @limit
            """, new { statuses, limit }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<IncidentEvent>> TimelineAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<IncidentEvent>(new CommandDefinition("""
            SELECT id, incident_id AS IncidentId, at, actor, kind, message, data::text AS Data
            FROM incident_events WHERE incident_id = @id ORDER BY id
            """, new { id }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<long?> FindOpenAsync(string dedupKey, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM incidents WHERE dedup_key = @dedupKey AND status IN ('triggered', 'acknowledged', 'mitigating')",
            new { dedupKey }, cancellationToken: ct));
    }

    /// <summary>Refreshes <c>incidentdesk_incidents_open</c> from the table, so every node reports the cluster's truth.</summary>
    internal async Task RefreshOpenGaugeAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var counts = (await connection.QueryAsync<(string Severity, long Count)>(new CommandDefinition(
            "SELECT severity, count(*) FROM incidents WHERE status IN ('triggered', 'acknowledged', 'mitigating') GROUP BY severity",
            cancellationToken: ct))).ToDictionary(r => r.Severity, r => r.Count);
        foreach (var severity in Severities.All)
            OpenIncidents.WithLabels(severity).Set(counts.GetValueOrDefault(severity));

        // For the "unacknowledged past 15 minutes" alert rules: the age is computed against our clock, not the database's.
        var (count, oldest) = await connection.QuerySingleAsync<(long, DateTimeOffset?)>(new CommandDefinition(
            "SELECT count(*), min(opened_at) FROM incidents WHERE status = 'triggered'", cancellationToken: ct));
        Unacknowledged.Set(count);
        OldestUnacknowledgedAge.Set(oldest is null ? 0 : Math.Max(0, (time.GetUtcNow() - oldest.Value).TotalSeconds));
    }

    private static async Task InsertEventAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id, DateTimeOffset at, string actor, string kind, string message, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_events (incident_id, at, actor, kind, message) VALUES (@id, @at, @actor, @kind, @message)
            """, new { id, at, actor, kind, message }, tx, cancellationToken: ct));

    private async Task NotifyAsync(IncidentChangeKind kind, NpgsqlConnection connection, NpgsqlTransaction tx, long id, string actor, CancellationToken ct)
    {
        if (listeners.Length == 0)
            return;
        var incident = await connection.QuerySingleAsync<Incident>(new CommandDefinition(
            $"SELECT {Columns} FROM incidents WHERE id = @id", new { id }, tx, cancellationToken: ct));
        var change = new IncidentChange(kind, incident, actor);
        foreach (var listener in listeners)
            await listener.OnChangedAsync(change, tx, ct);
    }
}

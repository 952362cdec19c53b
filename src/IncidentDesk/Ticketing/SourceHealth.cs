using Dapper;
using IncidentDesk.Incidents;
using Npgsql;

namespace IncidentDesk.Ticketing;

/// <summary>
/// Where a "source down" or "source recovered" goes: the incidents entry point
/// (<see cref="IncidentSourceDownNotifier"/>, dedup key <c>source-down:&lt;source&gt;</c>).
/// Implementations may be called again for the same outage after a crash: deduplicate on the key.
/// </summary>
public interface ISourceDownNotifier
{
    Task NotifyAsync(SourceHealthChange change, CancellationToken ct);
}

/// <summary>A source went down (failing since <see cref="Since"/>) or came back (<see cref="Down"/> false).</summary>
public sealed record SourceHealthChange(string Source, bool Down, DateTimeOffset Since, string? LastError)
{
    public string DedupKey => $"source-down:{Source}";
}

/// <summary>Opens one incident per source outage and records its recovery on the same incident.</summary>
internal sealed class IncidentSourceDownNotifier(IncidentService incidents, ILogger<IncidentSourceDownNotifier> logger) : ISourceDownNotifier
{
    public async Task NotifyAsync(SourceHealthChange change, CancellationToken ct)
    {
        if (change.Down)
        {
            logger.LogError("Source {Source} down since {Since}: {Error}", change.Source, change.Since, change.LastError);
            await incidents.OpenAsync(new IncidentSignal(
                change.DedupKey,
                "ingestion",
                $"Source {change.Source} unreachable",
                "high",
                $"Polling {change.Source} has failed since {change.Since:u}: {change.LastError}. SLA figures for its channels are stale until it recovers.",
                new Dictionary<string, string> { ["source"] = change.Source }), ct);
        }
        else
        {
            logger.LogWarning("Source {Source} recovered (was down since {Since})", change.Source, change.Since);
            await incidents.RecordRecoveryAsync(change.DedupKey, $"Polling {change.Source} succeeded again.", ct);
        }
    }
}

/// <summary>Records each poll's outcome and reports a source that stays down longer than <see cref="IngestionOptions.SourceDownAfter"/>.</summary>
public sealed class SourceHealth(NpgsqlDataSource dataSource, ISourceDownNotifier notifier, TimeProvider time, Microsoft.Extensions.Options.IOptions<IngestionOptions> options)
{
    private sealed record State(DateTime? FailingSince, bool DownReported);

    public async Task RecordSuccessAsync(string source, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        IngestionMetrics.SourceUp.WithLabels(source).Set(1);
        IngestionMetrics.LastSuccess.WithLabels(source).Set(now.ToUnixTimeMilliseconds() / 1000.0);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var state = await connection.QuerySingleOrDefaultAsync<State>(new CommandDefinition(
            "SELECT failing_since AS FailingSince, down_reported AS DownReported FROM ingestion_sources WHERE source = @source", new { source }, cancellationToken: ct));
        if (state is { DownReported: true, FailingSince: { } since })
            await notifier.NotifyAsync(new SourceHealthChange(source, Down: false, new DateTimeOffset(since, TimeSpan.Zero), null), ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingestion_sources (source, last_success_at) VALUES (@source, @now)
            ON CONFLICT (source) DO UPDATE SET last_success_at = @now, failing_since = NULL, last_error = NULL, down_reported = false
            """, new { source, now }, cancellationToken: ct));
    }

    /// <summary>Records a failed poll; reports the source down once it has failed for longer than the configured time.</summary>
    public async Task RecordFailureAsync(string source, string error, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        IngestionMetrics.SourceUp.WithLabels(source).Set(0);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var state = await connection.QuerySingleAsync<State>(new CommandDefinition("""
            INSERT INTO ingestion_sources (source, failing_since, last_error) VALUES (@source, @now, @error)
            ON CONFLICT (source) DO UPDATE SET failing_since = coalesce(ingestion_sources.failing_since, @now), last_error = @error
            RETURNING failing_since AS FailingSince, down_reported AS DownReported
            """, new { source, now, error }, cancellationToken: ct));
        var since = new DateTimeOffset(state.FailingSince!.Value, TimeSpan.Zero);
        if (state.DownReported || now - since < options.Value.SourceDownAfter)
            return;
        // Notify first, then remember: a crash in between repeats the report (deduplicated by key), never loses it.
        await notifier.NotifyAsync(new SourceHealthChange(source, Down: true, since, error), ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingestion_sources SET down_reported = true WHERE source = @source", new { source }, cancellationToken: ct));
    }
}

namespace IncidentDesk.Ticketing;

/// <summary>
/// One source of contacts, read page by page from a cursor it alone understands.
/// </summary>
public interface IContactSource
{
    /// <summary>The <c>source</c> label of metrics and of <c>contacts.source</c> (zendesk, jira, ...).</summary>
    string Source { get; }

    /// <summary>The row of <c>ingestion_sources</c> that holds this reader's cursor (a source may have several readers).</summary>
    string CursorKey { get; }

    /// <summary>
    /// Fetches the page after <paramref name="cursor"/> (null = first poll ever). Throws
    /// <see cref="SourceException"/> for anything the source did wrong (HTTP status, bad JSON, timeout);
    /// the caller retries at the next poll from the same cursor.
    /// </summary>
    Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct);

    /// <summary>The cursor that reads everything changed since <paramref name="since"/> (for <c>backfill</c>).</summary>
    string CursorFrom(DateTimeOffset since);
}

/// <summary>
/// One page: the rows, the cursor to save with them, and whether the source is caught up
/// (then the poll stops until its next run).
/// </summary>
public sealed record SourcePage(IReadOnlyList<Contact> Contacts, IReadOnlyList<ContactRating> Ratings, string NextCursor, bool CaughtUp)
{
    /// <summary>Queue statistics windows (telephony), committed with the rows and the cursor.</summary>
    public IReadOnlyList<QueueStatistics> QueueStatistics { get; init; } = [];

    /// <summary>SLA verdicts a source reports apart from its records (Zendesk's metric events), committed with the cursor.</summary>
    public IReadOnlyList<ContactSlaState> SlaStates { get; init; } = [];

    public static SourcePage Of(IReadOnlyList<Contact> contacts, string nextCursor, bool caughtUp) => new(contacts, [], nextCursor, caughtUp);
}

/// <summary>
/// One queue's aggregate over <c>[WindowStart, WindowEnd)</c> as the telephony platform reports it (a row of
/// <c>queue_statistics</c>); <see cref="SplitByWaitTime"/> is the source's JSON, kept as it came.
/// </summary>
public sealed record QueueStatistics(
    string Source, string QueueSid, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    int TasksEntered, int TasksCanceled, int ReservationsAccepted,
    double? WaitAvgSeconds, double? WaitMaxSeconds, double? WaitTotalSeconds, string SplitByWaitTime);

/// <summary>
/// The source's own SLA verdict on one record, reported apart from the record: <c>null</c> fields say nothing. Kept in
/// <c>contact_sla_states</c> (so a verdict that arrives before its ticket is not lost) and copied onto the contact.
/// </summary>
public sealed record ContactSlaState(string Source, string ExternalId, bool? Breached, bool? Paused, DateTimeOffset At);

/// <summary>A failure of the source itself; <see cref="Kind"/> is the <c>kind</c> label of <c>incidentdesk_source_errors_total</c>.</summary>
public sealed class SourceException(string source, string kind, string message, Exception? inner = null)
    : Exception($"{source}: {message}", inner)
{
    public string SourceName { get; } = source;

    /// <summary>rate_limited, server_error, client_error, timeout, network, malformed.</summary>
    public string Kind { get; } = kind;
}

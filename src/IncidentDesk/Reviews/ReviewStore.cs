using Dapper;
using Npgsql;

namespace IncidentDesk.Reviews;

/// <summary>What people wrote in a review.</summary>
public sealed record ReviewRecord
{
    public long IncidentId { get; init; }
    public DateTimeOffset OpenedAt { get; init; }
    public string? Summary { get; init; }
    public string[] Whys { get; init; } = [];
    public string? RootCause { get; init; }
    public string? LessonsLearned { get; init; }
    public string? KnowledgeBase { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? PublishedBy { get; init; }
}

/// <summary>An action item from a review.</summary>
public sealed record ActionItem
{
    public long Id { get; init; }
    public long IncidentId { get; init; }
    public string Title { get; init; } = "";
    public string Owner { get; init; } = "";
    public DateOnly DueDate { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DoneAt { get; init; }
    public string? DoneBy { get; init; }
}

/// <summary>The editable fields; null leaves a field as it is.</summary>
public sealed record ReviewEdit(string? Summary, string[]? Whys, string? RootCause, string? LessonsLearned, string? KnowledgeBase);

/// <summary>The SQL of reviews and their action items.</summary>
public sealed class ReviewStore(NpgsqlDataSource dataSource)
{
    private const string ReviewColumns = """
        incident_id AS IncidentId, opened_at AS OpenedAt, summary, whys, root_cause AS RootCause, lessons_learned AS LessonsLearned,
        knowledge_base AS KnowledgeBase, updated_at AS UpdatedAt, updated_by AS UpdatedBy, published_at AS PublishedAt, published_by AS PublishedBy
        """;

    private const string ItemColumns = """
        id, incident_id AS IncidentId, title, owner, due_date AS DueDate, created_at AS CreatedAt, done_at AS DoneAt, done_by AS DoneBy
        """;

    /// <summary>Opens the review when the incident is resolved (in its transaction); a second resolution keeps the first review.</summary>
    public static async Task OpenAsync(NpgsqlTransaction tx, long incidentId, DateTimeOffset now, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_reviews (incident_id, opened_at, updated_at) VALUES (@incidentId, @now, @now) ON CONFLICT DO NOTHING
            """, new { incidentId, now }, tx, cancellationToken: ct));

    public static async Task PublishAsync(NpgsqlTransaction tx, long incidentId, string by, DateTimeOffset now, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO incident_reviews (incident_id, opened_at, updated_at) VALUES (@incidentId, @now, @now) ON CONFLICT DO NOTHING;
            UPDATE incident_reviews SET published_at = @now, published_by = @by WHERE incident_id = @incidentId
            """, new { incidentId, by, now }, tx, cancellationToken: ct));

    public async Task<ReviewRecord?> GetAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ReviewRecord>(new CommandDefinition(
            $"SELECT {ReviewColumns} FROM incident_reviews WHERE incident_id = @incidentId", new { incidentId }, cancellationToken: ct));
    }

    /// <summary>Applies an edit; false when the review is not open (the incident is not resolved yet).</summary>
    public async Task<bool> EditAsync(long incidentId, ReviewEdit edit, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE incident_reviews SET
                summary = coalesce(@Summary, summary), whys = coalesce(@Whys, whys), root_cause = coalesce(@RootCause, root_cause),
                lessons_learned = coalesce(@LessonsLearned, lessons_learned), knowledge_base = coalesce(@KnowledgeBase, knowledge_base),
                updated_at = @now, updated_by = @by
            WHERE incident_id = @incidentId
            """, new { incidentId, edit.Summary, edit.Whys, edit.RootCause, edit.LessonsLearned, edit.KnowledgeBase, now, by }, cancellationToken: ct)) == 1;
    }

    public async Task<ActionItem?> AddActionItemAsync(long incidentId, string title, string owner, DateOnly due, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ActionItem>(new CommandDefinition($"""
            INSERT INTO review_action_items (incident_id, title, owner, due_date, created_at)
            SELECT @incidentId, @title, @owner, @due, @now WHERE EXISTS (SELECT 1 FROM incident_reviews WHERE incident_id = @incidentId)
            RETURNING {ItemColumns}
            """, new { incidentId, title, owner, due, now }, cancellationToken: ct));
    }

    /// <summary>Marks an item done; null when it does not exist, the item unchanged when it was already done.</summary>
    public async Task<ActionItem?> CompleteActionItemAsync(long incidentId, long itemId, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE review_action_items SET done_at = @now, done_by = @by WHERE id = @itemId AND incident_id = @incidentId AND done_at IS NULL",
            new { incidentId, itemId, by, now }, cancellationToken: ct));
        return await connection.QuerySingleOrDefaultAsync<ActionItem>(new CommandDefinition(
            $"SELECT {ItemColumns} FROM review_action_items WHERE id = @itemId AND incident_id = @incidentId", new { incidentId, itemId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ActionItem>> ActionItemsAsync(long incidentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ActionItem>(new CommandDefinition(
            $"SELECT {ItemColumns} FROM review_action_items WHERE incident_id = @incidentId ORDER BY id", new { incidentId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Open action items whose due date is before <paramref name="today"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ActionItem>> OverdueActionItemsAsync(DateOnly today, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ActionItem>(new CommandDefinition(
            $"SELECT {ItemColumns} FROM review_action_items WHERE done_at IS NULL AND due_date < @today ORDER BY due_date, id",
            new { today }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Contacts that arrived while the incident was open (in its channel when it names one). Read from the
    /// ingestion's contacts table: the review is a read-only report over what the desk measured.
    /// </summary>
    public async Task<long> ContactsDuringAsync(DateTimeOffset from, DateTimeOffset to, string? channel, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM contacts WHERE created_at >= @from AND created_at < @to AND (@channel::text IS NULL OR channel = @channel)",
            new { from, to, channel }, cancellationToken: ct));
    }
}

using Microsoft.Extensions.Options;
using Npgsql;

namespace IncidentDesk.Ticketing;

/// <summary>
/// Runs one poll of a source: page after page from the saved cursor, each page committed with the
/// cursor after it, until the source is caught up or the page budget is spent. Failures are counted,
/// logged with the source named and recorded for the health check; they never escape to the scheduler.
/// </summary>
public sealed class SourcePoller(ContactStore store, SourceHealth health, IOptions<IngestionOptions> options, ILogger<SourcePoller> logger)
{
    // Pages committed by this process; the test-only hold counts across polls so that a crash test can
    // let page 1 commit and stop at page 2.
    private int pagesThisProcess;

    /// <summary>The outcome of one poll.</summary>
    public sealed record PollResult(int Pages, int Written, bool CaughtUp, string? Error);

    /// <summary>
    /// Polls from the saved cursor, or from <paramref name="startCursor"/> (backfill), for at most
    /// <paramref name="maxPages"/> pages; <paramref name="progress"/> hears the size of each committed page.
    /// </summary>
    public async Task<PollResult> PollAsync(IContactSource source, CancellationToken ct, int? maxPages = null, Action<int>? progress = null, string? startCursor = null)
    {
        var pages = 0;
        var written = 0;
        try
        {
            var cursor = startCursor ?? await store.LoadCursorAsync(source.CursorKey, ct);
            var budget = maxPages ?? options.Value.MaxPagesPerPoll;
            // The next page is fetched while the current one is written: the source and the database
            // work in parallel. Pages still commit in order, each with its own cursor.
            Task<SourcePage>? fetching = source.FetchAsync(cursor, ct);
            while (fetching is not null)
            {
                var page = await fetching;
                fetching = null;
                var more = !page.CaughtUp && page.NextCursor != cursor && pages + 1 < budget;
                if (more)
                    fetching = source.FetchAsync(page.NextCursor, ct);
                try
                {
                    await HoldIfAskedAsync(ct);
                    var result = await store.CommitPageAsync(source.CursorKey, page, ct);
                    pages++;
                    written += result.ContactsWritten;
                    IngestionMetrics.TicketsIngested.WithLabels(source.Source).Inc(result.ContactsWritten);
                    progress?.Invoke(page.Contacts.Count);
                }
                catch when (fetching is not null)
                {
                    // Do not leave the prefetch running (or its failure unobserved) behind a failed commit.
                    await fetching.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                    throw;
                }
                if (page.CaughtUp)
                {
                    await health.RecordSuccessAsync(source.Source, ct);
                    return new PollResult(pages, written, true, null);
                }
                if (page.NextCursor == cursor)
                {
                    // A source that hands back the cursor it was given would loop forever; what it
                    // returned is committed, the rest waits for the next poll.
                    IngestionMetrics.SourceErrors.WithLabels(source.Source, "repeating_cursor").Inc();
                    logger.LogWarning("Source {Source} returned the same cursor again; stopping this poll", source.Source);
                    await health.RecordSuccessAsync(source.Source, ct);
                    return new PollResult(pages, written, true, "repeating cursor");
                }
                cursor = page.NextCursor;
            }
            await health.RecordSuccessAsync(source.Source, ct);
            return new PollResult(pages, written, false, null);
        }
        catch (SourceException e)
        {
            // 429 and 5xx were already counted per attempt by SourceErrorCountingHandler.
            if (e.Kind is not ("rate_limited" or "server_error"))
                IngestionMetrics.SourceErrors.WithLabels(source.Source, e.Kind).Inc();
            logger.LogWarning("Poll of {Source} failed after {Pages} page(s) ({Kind}): {Error}", source.Source, pages, e.Kind, e.Message);
            await RecordFailureSafelyAsync(source.Source, e.Message, ct);
            return new PollResult(pages, written, false, e.Message);
        }
        catch (ArgumentException e)
        {
            IngestionMetrics.SourceErrors.WithLabels(source.Source, "invalid_record").Inc();
            logger.LogError("Poll of {Source} refused a page: {Error}", source.Source, e.Message);
            await RecordFailureSafelyAsync(source.Source, e.Message, ct);
            return new PollResult(pages, written, false, e.Message);
        }
        catch (NpgsqlException e)
        {
            IngestionMetrics.SourceErrors.WithLabels(source.Source, "database").Inc();
            logger.LogError("Poll of {Source} could not write to the database: {Error}", source.Source, e.Message);
            return new PollResult(pages, written, false, e.Message);
        }
    }

    private async Task RecordFailureSafelyAsync(string source, string error, CancellationToken ct)
    {
        try
        {
            await health.RecordFailureAsync(source, error, ct);
        }
        catch (NpgsqlException e)
        {
            logger.LogError("Could not record the failure of {Source}: {Error}", source, e.Message);
        }
    }

    private async Task HoldIfAskedAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (o.HoldBeforeCommitPage <= 0 || Interlocked.Increment(ref pagesThisProcess) != o.HoldBeforeCommitPage)
            return;
        await File.WriteAllTextAsync(o.HoldSignalFile!, "held", ct);
        logger.LogWarning("Test hook: holding the poll before commit of page {Page}", o.HoldBeforeCommitPage);
        await Task.Delay(Timeout.Infinite, ct);
    }
}

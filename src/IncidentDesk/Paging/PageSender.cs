using System.Threading.Channels;
using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IncidentDesk.Paging;

/// <summary>
/// Drains the outbox on every node: claims due pages (SKIP LOCKED + lease), hands each to its channel's
/// <see cref="IPager"/>, records the outcome, retries with backoff and falls back to the other channel.
/// Woken by NOTIFY on commit for low latency; polls as well, for retries and for notifications missed while away.
/// </summary>
internal sealed class PageSender(
    PageStore store,
    NpgsqlDataSource dataSource,
    IEnumerable<IPager> pagers,
    IEnumerable<IAckNotifier> notifiers,
    PagePlanner planner,
    OnCallDirectory onCall,
    IncidentService incidents,
    EscalationSweep sweep,
    IOptions<PagingOptions> options,
    TimeProvider time,
    ILogger<PageSender> logger) : BackgroundService
{
    private const int Parallelism = 16;

    private readonly Dictionary<string, IPager> byChannel = pagers.ToDictionary(p => p.Channel);
    private readonly IAckNotifier? notifier = notifiers.FirstOrDefault();
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>This process's name in <c>claimed_by</c>.</summary>
    public string Node { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweep.RunIfDueAsync(stoppingToken);
                var claimed = await store.ClaimAsync(Node, time.GetUtcNow(), options.Value.ClaimLease, Parallelism, stoppingToken);
                if (claimed.Count > 0)
                {
                    await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
                        async (page, ct) => await ProcessAsync(page, ct));
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or Quartz.SchedulerException)
            {
                logger.LogWarning("Page sender: {Error}; retrying", e.Message);
            }
            await WaitAsync(stoppingToken);
        }
        await listening;
    }

    /// <summary>
    /// Waits for a NOTIFY or the poll interval. The interval is a cadence in real time, not a deadline: due times are
    /// compared with the injected clock in SQL, so a test's fake clock decides what is due without freezing the loop.
    /// </summary>
    private async Task WaitAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.PollInterval);
        try
        {
            await wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // poll interval elapsed (or stopping; the loop checks)
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => wake.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {PageStore.NotifyChannel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                wake.Writer.TryWrite(true);
                while (!ct.IsCancellationRequested)
                    await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
            {
                // Polling carries on meanwhile; reconnect at the poll cadence.
                logger.LogDebug("Page sender LISTEN connection lost: {Error}", e.Message);
                try
                {
                    await Task.Delay(options.Value.PollInterval, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(ClaimedPage page, CancellationToken ct)
    {
        if (!await store.RenewAsync(page.Id, Node, time.GetUtcNow(), options.Value.ClaimLease, ct))
            return;
        try
        {
            if (page.Kind == "ack-notice")
                await NoticeAsync(page, ct);
            else
                await SendAsync(page, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Unexpected: record it so the page is retried rather than left claimed until its lease runs out.
            logger.LogError(e, "Page {Page} ({Key}) failed unexpectedly", page.Id, page.IdempotencyKey);
            await RecordFailureAsync(page, PageOutcome.Failed(e.Message, inDoubt: true), ct);
        }
    }

    private async Task SendAsync(ClaimedPage page, CancellationToken ct)
    {
        if (!byChannel.TryGetValue(page.Channel, out var pager))
        {
            await RecordFailureAsync(page, PageOutcome.Failed($"channel {page.Channel} is not configured", permanent: true), ct);
            return;
        }
        var outcome = await pager.SendAsync(page.ToMessage(), ct);
        if (!outcome.Delivered)
        {
            await RecordFailureAsync(page, outcome, ct);
            return;
        }
        if (!await store.MarkSentAsync(page.Id, Node, time.GetUtcNow(), outcome.SlackChannel, outcome.SlackTs, ct))
            return; // our lease ran out and another node took the row over; it will find the message and record it.
        PagingMetrics.Sent.WithLabels(page.Channel).Inc();
        await incidents.AddEventAsync(page.IncidentId, "paging", "paged",
            $"paged {page.PersonName} on {page.Channel} (level {page.Level}, attempt {page.Attempt})",
            new { person = page.Person, channel = page.Channel, level = page.Level, attempt = page.Attempt, key = page.IdempotencyKey }, ct);

        // The acknowledgment may have come while this page was in flight: edit it now, the ack notice missed it.
        if (outcome.SlackTs is not null && notifier is not null)
        {
            var incident = await incidents.GetAsync(page.IncidentId, ct);
            if (incident is { Status: not IncidentStatus.Triggered, AcknowledgedBy: { } by })
                await notifier.MarkAcknowledgedAsync(outcome.SlackChannel!, outcome.SlackTs, page.IncidentId, page.Title, by, ct);
        }
    }

    private async Task NoticeAsync(ClaimedPage page, CancellationToken ct)
    {
        if (notifier is null)
        {
            await store.MarkSentAsync(page.Id, Node, time.GetUtcNow(), null, null, ct);
            return;
        }
        foreach (var (channel, ts) in await store.SentSlackMessagesAsync(page.IncidentId, ct))
        {
            var outcome = await notifier.MarkAcknowledgedAsync(channel, ts, page.IncidentId, page.Title, page.Person, ct);
            if (!outcome.Delivered)
            {
                await RecordFailureAsync(page, outcome, ct);
                return;
            }
        }
        await store.MarkSentAsync(page.Id, Node, time.GetUtcNow(), null, null, ct);
    }

    private async Task RecordFailureAsync(ClaimedPage page, PageOutcome outcome, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var failures = page.Failures + 1;
        var delay = outcome.RetryAfter ?? Backoff(failures, options.Value.MaxRetryDelay);
        await store.MarkFailedAsync(page.Id, Node, outcome.Error ?? "failed", now + delay, outcome.InDoubt, ct);
        PagingMetrics.Failed.WithLabels(page.Channel).Inc();
        logger.LogWarning("Page {Key} failed (try {Failures}): {Error}; retry in {Delay}", page.IdempotencyKey, failures, outcome.Error, delay);

        // Second failure in a row (a few seconds after the first) or a hopeless address: reach the person another way too.
        if (page.Kind == "page" && (outcome.Permanent || failures >= 2)
            && onCall.Schedule.People.TryGetValue(page.Person, out var person)
            && planner.Fallback(page, person) is { } fallback)
        {
            await store.InsertFallbackAsync(fallback, page.Id, now, ct);
        }
    }

    /// <summary>1 s, 2 s, 4 s … up to <paramref name="max"/>: quick recovery from a blip, no hammering of a vendor that is down.</summary>
    internal static TimeSpan Backoff(int failures, TimeSpan max)
    {
        var seconds = Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromSeconds(Math.Min(seconds, max.TotalSeconds));
    }
}

namespace IncidentDesk.Paging;

/// <summary>A page as a channel adapter needs it: who, where, about what, and whether a previous claim may already have sent it.</summary>
public sealed record PageMessage(
    long PageId,
    long IncidentId,
    string IdempotencyKey,
    string Person,
    string PersonName,
    string Address,
    int Attempt,
    int Level,
    string Title,
    string Severity,
    string? Summary,
    bool InDoubt,
    DateTimeOffset CreatedAt);

/// <summary>What happened to one delivery attempt.</summary>
/// <param name="Permanent">Retrying the same address will not help (unknown user, bad address): fall back at once.</param>
/// <param name="InDoubt">The request may have reached the vendor (timeout, reset): look before re-sending.</param>
public sealed record PageOutcome(
    bool Delivered,
    string? Error = null,
    bool Permanent = false,
    bool InDoubt = false,
    TimeSpan? RetryAfter = null,
    string? SlackChannel = null,
    string? SlackTs = null)
{
    public static PageOutcome Sent(string? slackChannel = null, string? slackTs = null) => new(true, SlackChannel: slackChannel, SlackTs: slackTs);

    public static PageOutcome Failed(string error, bool permanent = false, bool inDoubt = false, TimeSpan? retryAfter = null) =>
        new(false, error, permanent, inDoubt, retryAfter);
}

/// <summary>
/// Delivers pages on one channel (<c>slack</c>, <c>email</c>). Failures come back as outcomes, not exceptions:
/// the outbox retries transient ones with backoff (honouring <see cref="PageOutcome.RetryAfter"/>) and falls
/// back to the person's other channel on permanent ones or repeated failures.
/// </summary>
public interface IPager
{
    string Channel { get; }

    /// <summary>Sends the page. When <see cref="PageMessage.InDoubt"/>, first checks whether it already arrived.</summary>
    Task<PageOutcome> SendAsync(PageMessage page, CancellationToken ct);
}

/// <summary>Updates sent pages once their incident is acknowledged (Slack edits the message; e-mail has nothing to edit).</summary>
public interface IAckNotifier
{
    Task<PageOutcome> MarkAcknowledgedAsync(string channel, string ts, long incidentId, string title, string acknowledgedBy, CancellationToken ct);
}

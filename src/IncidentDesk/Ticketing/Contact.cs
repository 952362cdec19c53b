namespace IncidentDesk.Ticketing;

/// <summary>
/// One ticket or call, normalized across sources (a row of <c>contacts</c>). Ids, times and
/// classifications only: no bodies, names, e-mail addresses or phone numbers.
/// </summary>
public sealed record Contact
{
    public required string Source { get; init; }
    public required string ExternalId { get; init; }
    public ContactKind Kind { get; init; } = ContactKind.Ticket;

    /// <summary>One of <see cref="Channels"/>; messenger channels are <c>messenger:&lt;name&gt;</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>low, medium, high or critical (see <see cref="Priorities"/>); null when the source has none.</summary>
    public string? Priority { get; init; }

    /// <summary>new, open, pending, on_hold, solved or closed (see <see cref="Statuses"/>).</summary>
    public required string Status { get; init; }

    public string? Queue { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FirstResponseAt { get; init; }
    public DateTimeOffset? SolvedAt { get; init; }
    public int? FirstResponseBusinessSeconds { get; init; }
    public int? OnHoldSeconds { get; init; }
    public bool? SlaBreached { get; init; }
    public bool? SlaPaused { get; init; }
    public int? SlaRemainingSeconds { get; init; }
    public bool EscalatedToTech { get; init; }
    public bool EscalatedAgentError { get; init; }
    public int? WaitSeconds { get; init; }
    public int? TalkSeconds { get; init; }
    public bool? Answered { get; init; }
    public bool? Abandoned { get; init; }
    public string? Agent { get; init; }
    public required DateTimeOffset SourceUpdatedAt { get; init; }
}

public enum ContactKind
{
    Ticket,
    Call,
}

/// <summary>A CSAT rating of one contact (a row of <c>contact_ratings</c>); only good or bad are kept.</summary>
public sealed record ContactRating(string Source, string ExternalId, bool Good, DateTimeOffset RatedAt);

/// <summary>The normalized channel names.</summary>
public static class Channels
{
    public const string Email = "email";
    public const string Web = "web";
    public const string Chat = "chat";
    public const string Phone = "phone";
    public const string Social = "social";
    public const string Api = "api";
    public const string Other = "other";
    public const string Telegram = "messenger:telegram";
    public const string Viber = "messenger:viber";
    public const string Instagram = "messenger:instagram";

    public static readonly IReadOnlySet<string> Plain = new HashSet<string>(StringComparer.Ordinal) { Email, Web, Chat, Phone, Social, Api, Other };

    /// <summary>True for a name the <c>contacts.channel</c> check accepts.</summary>
    public static bool IsValid(string? channel) =>
        channel is not null && (Plain.Contains(channel) || System.Text.RegularExpressions.Regex.IsMatch(channel, "^messenger:[a-z0-9_-]+$"));
}

/// <summary>The normalized priorities: the handbook's ticket-template scale.</summary>
public static class Priorities
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";
}

/// <summary>The normalized statuses.</summary>
public static class Statuses
{
    public const string New = "new";
    public const string Open = "open";
    public const string Pending = "pending";
    public const string OnHold = "on_hold";
    public const string Solved = "solved";
    public const string Closed = "closed";
}

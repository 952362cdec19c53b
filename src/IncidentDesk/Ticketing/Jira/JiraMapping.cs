using System.Globalization;
using System.Text.Json;

namespace IncidentDesk.Ticketing.Jira;

/// <summary>Jira Service Management's vocabulary to the normalized one.</summary>
internal static class JiraMapping
{
    /// <summary>
    /// Status by name first (JSM's default workflow names), then by status category, because sites rename
    /// statuses but keep the categories: <c>new</c> → new, <c>indeterminate</c> → open, <c>done</c> → solved.
    /// "Escalated" and "In progress" are open: the request is still being worked on, by tech now.
    /// </summary>
    public static string Status(JiraStatus? status) => status?.Name?.Trim().ToLowerInvariant() switch
    {
        "waiting for customer" or "pending" => Statuses.Pending,
        "on hold" or "waiting for approval" or "waiting for third party" => Statuses.OnHold,
        "waiting for support" or "escalated" or "in progress" or "work in progress" => Statuses.Open,
        "resolved" or "done" or "completed" => Statuses.Solved,
        "closed" or "canceled" or "cancelled" or "declined" => Statuses.Closed,
        _ => status?.StatusCategory?.Key switch
        {
            "new" => Statuses.New,
            "done" => Statuses.Solved,
            _ => Statuses.Open,
        },
    };

    /// <summary>Jira's default scheme (Highest…Lowest) and the older Blocker…Trivial one; anything else is unknown (null).</summary>
    public static string? Priority(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "highest" or "blocker" or "critical" or "urgent" => Priorities.Critical,
        "high" or "major" => Priorities.High,
        "medium" or "normal" => Priorities.Medium,
        "low" or "lowest" or "minor" or "trivial" => Priorities.Low,
        _ => null,
    };

    /// <summary>The configured map on the channel field's value, then on the labels; else the configured default.</summary>
    public static string Channel(JiraOptions options, string? channelValue, IReadOnlyList<string> labels) =>
        options.MapChannel(new[] { channelValue }.Concat(labels)) ?? options.DefaultChannel;

    /// <summary>
    /// Whether a flag field is set: a checkbox with an option ticked, a select or text with a value other
    /// than "no"/"false", or a true boolean.
    /// </summary>
    public static bool IsSet(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => value.GetString() is { Length: > 0 } s && !IsNo(s),
        JsonValueKind.Number => value.TryGetDecimal(out var n) && n != 0,
        JsonValueKind.Array => value.EnumerateArray().Any(IsSet),
        JsonValueKind.Object => Text(value) is { Length: > 0 } t && !IsNo(t),
        _ => false,
    };

    /// <summary>A field's value as text: a string, an option's <c>value</c>, or a named object's <c>name</c>; the first of an array.</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String => v.GetString(),
        JsonValueKind.Object when value.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String => n.GetString(),
        JsonValueKind.Array => value.EnumerateArray().Select(Text).FirstOrDefault(t => t is not null),
        _ => null,
    };

    private static bool IsNo(string s) => s.Trim().ToLowerInvariant() is "no" or "false" or "none";

    /// <summary>Jira's timestamps (<c>2026-12-01T09:00:00.000+0000</c>: an offset without a colon).</summary>
    public static DateTimeOffset? Time(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParseExact(value.GetString(), ["yyyy-MM-dd'T'HH:mm:ss.fffzzzz", "yyyy-MM-dd'T'HH:mm:ss.fffzzz", "yyyy-MM-dd'T'HH:mm:ss.fffK", "yyyy-MM-dd'T'HH:mm:ssK"],
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;

    /// <summary>What a request's first-response SLA says.</summary>
    public sealed record FirstResponse(DateTimeOffset? At, int? ElapsedSeconds, bool? Breached, bool? Paused, int? RemainingSeconds);

    /// <summary>
    /// The first completed cycle ended with the first response; its elapsed time is counted on the SLA's
    /// calendar (business hours where the SLA has one). Breached if any cycle breached. The remaining time
    /// is kept only while it stands still (a paused cycle, or the last completed one): a running clock's
    /// remaining time changes with every read, and storing it would make each re-read a change.
    /// </summary>
    public static FirstResponse FromSla(JiraSla? sla)
    {
        if (sla is null)
            return new FirstResponse(null, null, null, null, null);
        var completed = sla.CompletedCycles ?? [];
        var first = completed.FirstOrDefault();
        var ongoing = sla.OngoingCycle;
        var breached = completed.Any(c => c.Breached) || ongoing?.Breached == true;
        var paused = ongoing?.Paused == true;
        long? remaining = ongoing is not null
            ? paused ? ongoing.RemainingTime?.Millis : null
            : completed.LastOrDefault()?.RemainingTime?.Millis;
        return new FirstResponse(
            first?.StopTime is { } stop ? DateTimeOffset.FromUnixTimeMilliseconds(stop.EpochMillis) : null,
            first?.ElapsedTime is { } elapsed ? (int)(elapsed.Millis / 1000) : null,
            breached,
            paused,
            remaining is { } ms ? (int)(ms / 1000) : null);
    }
}

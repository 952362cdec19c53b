using System.Globalization;
using System.Text.Json;

namespace IncidentDesk.Ticketing.Otrs;

/// <summary>OTRS/Znuny's vocabulary to the normalized one.</summary>
internal static class OtrsMapping
{
    /// <summary>By state type, the stable part (state names are site-defined); "closed successful" is the solved one.</summary>
    public static string Status(string? state, string? stateType) => stateType?.ToLowerInvariant() switch
    {
        "new" => Statuses.New,
        "open" => Statuses.Open,
        "pending reminder" or "pending auto" => Statuses.Pending,
        "closed" when string.Equals(state, "closed successful", StringComparison.OrdinalIgnoreCase) => Statuses.Solved,
        "closed" or "merged" or "removed" => Statuses.Closed,
        _ => Statuses.Open,
    };

    /// <summary>The default priorities "1 very low" … "5 very high", by their leading number.</summary>
    public static string? Priority(string? priority) => priority?.TrimStart().FirstOrDefault() switch
    {
        '1' or '2' => Priorities.Low,
        '3' => Priorities.Medium,
        '4' => Priorities.High,
        '5' => Priorities.Critical,
        _ => null,
    };

    /// <summary>OTRS dates ("2026-12-01 09:00:00") are the server's local time.</summary>
    public static DateTimeOffset? Time(string? value, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public static string Format(DateTimeOffset t, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// What the escalation and channel mappings match on: the queue, the type, and the names of dynamic
    /// fields that hold a value (e.g. a checkbox "EscalatedToTech" ticked).
    /// </summary>
    public static List<string> Tags(OtrsTicket t) =>
        new[] { t.Queue, t.Type }.Where(x => !string.IsNullOrEmpty(x)).Select(x => x!)
            .Concat((t.DynamicField ?? []).Where(f => f.Name is not null && IsSet(f.Value)).Select(f => f.Name!))
            .ToList();

    private static bool IsSet(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() is { Length: > 0 } s && s != "0",
        JsonValueKind.Number => v.TryGetInt64(out var n) && n != 0,
        JsonValueKind.True => true,
        JsonValueKind.Array => v.GetArrayLength() > 0,
        _ => false,
    };

    /// <summary>
    /// The first-response escalation: once answered, <c>FirstResponseDiffInMin</c> is the margin against the
    /// SLA target (negative = late) and stands still; before, only the escalation flag is stable (the
    /// remaining working time moves with every read). No SLA, no fields: null.
    /// </summary>
    public static (bool? Breached, int? RemainingSeconds) Sla(OtrsTicket t)
    {
        if (t.FirstResponseDiffInMin is { } diff)
            return (diff < 0, diff * 60);
        return t.FirstResponseTimeEscalation.ValueKind switch
        {
            JsonValueKind.Number => (t.FirstResponseTimeEscalation.GetInt32() != 0, null),
            JsonValueKind.String => (t.FirstResponseTimeEscalation.GetString() is "1", null),
            JsonValueKind.True => (true, null),
            JsonValueKind.False => (false, null),
            _ => (null, null),
        };
    }
}

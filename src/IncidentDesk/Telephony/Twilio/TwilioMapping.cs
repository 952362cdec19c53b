using System.Globalization;
using IncidentDesk.Ticketing;

namespace IncidentDesk.Telephony.Twilio;

/// <summary>Twilio's call fields to the normalized vocabulary.</summary>
internal static class TwilioMapping
{
    private static readonly string[] Rfc2822 = ["ddd, d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm zzz"];

    /// <summary>Parses an RFC 2822 time as Twilio writes it (<c>Tue, 10 Aug 2010 08:02:17 +0000</c>); null for null or empty.</summary>
    public static DateTimeOffset? Time(string? value, string field, string sid)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var s = value.Trim();
        // "+0000" → "+00:00" for zzz; "GMT"/"UT" are RFC 2822's obsolete zone names.
        if (s.EndsWith(" GMT", StringComparison.Ordinal) || s.EndsWith(" UT", StringComparison.Ordinal))
            s = s[..s.LastIndexOf(' ')] + " +00:00";
        else if (s.Length > 5 && s[^5] is '+' or '-' && s[^4..].All(char.IsAsciiDigit))
            s = s[..^2] + ":" + s[^2..];
        if (DateTimeOffset.TryParseExact(s, Rfc2822, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var t))
            return t;
        throw new SourceException(TwilioCallSource.Name, "malformed", $"call {sid}: {field} '{value}' is not an RFC 2822 time");
    }

    /// <summary>Statuses after which a call no longer changes.</summary>
    public static bool IsFinal(string? status) => status is "completed" or "no-answer" or "busy" or "canceled" or "failed";

    /// <summary>
    /// completed → answered; no-answer, busy, canceled → abandoned (the caller got no one); failed (Twilio
    /// could not connect the call at all) → neither, so it counts in no service level.
    /// </summary>
    public static (bool Answered, bool Abandoned) Outcome(string? status) => status switch
    {
        "completed" => (true, false),
        "no-answer" or "busy" or "canceled" => (false, true),
        _ => (false, false),
    };

    /// <summary><c>duration</c> is a string of whole seconds; null or not a number → null.</summary>
    public static int? Seconds(string? duration) =>
        int.TryParse(duration, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;

    /// <summary>An inbound call as the caller placed it: direction inbound, not a child leg of another call.</summary>
    public static bool IsInboundParent(TwilioCall call) => call.Direction == "inbound" && string.IsNullOrEmpty(call.ParentCallSid);

    public static Contact ToContact(TwilioCall c)
    {
        var created = Time(c.DateCreated, "date_created", c.Sid);
        var start = Time(c.StartTime, "start_time", c.Sid) ?? created
            ?? throw new SourceException(TwilioCallSource.Name, "malformed", $"call {c.Sid}: neither start_time nor date_created");
        var end = Time(c.EndTime, "end_time", c.Sid);
        var (answered, abandoned) = Outcome(c.Status);
        return new Contact
        {
            Source = TwilioCallSource.Name,
            ExternalId = c.Sid,
            Kind = ContactKind.Call,
            Channel = Channels.Phone,
            Status = Statuses.Closed,
            CreatedAt = start,
            SolvedAt = end,
            // The Calls resource does not say how long the caller waited in a queue (queue_time is the time
            // before Twilio placed the call): that comes from TaskRouter's cumulative statistics.
            WaitSeconds = null,
            TalkSeconds = answered ? Seconds(c.Duration) : 0,
            Answered = answered,
            Abandoned = abandoned,
            SourceUpdatedAt = Time(c.DateUpdated, "date_updated", c.Sid) ?? end ?? start,
        };
    }
}

namespace IncidentDesk.Ticketing.Freshdesk;

/// <summary>Freshdesk's numeric codes to the normalized vocabulary.</summary>
internal static class FreshdeskMapping
{
    /// <summary>
    /// <c>source</c> codes by name (the names are what <c>ChannelMap</c> keys on): 1 email, 2 portal,
    /// 3 phone, 7 chat, 9 feedback widget, 10 outbound email as documented; 4 forum, 5 twitter,
    /// 6 facebook, 8 mobihelp from older accounts. Anything else is its number.
    /// </summary>
    public static string SourceName(int source) => source switch
    {
        1 => "email",
        2 => "portal",
        3 => "phone",
        4 => "forum",
        5 => "twitter",
        6 => "facebook",
        7 => "chat",
        8 => "mobihelp",
        9 => "feedback_widget",
        10 => "outbound_email",
        _ => source.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The configured map on the source name, then on the tags (Freshchat messengers arrive as chat with a tag); else the built-in one.</summary>
    public static string Channel(FreshdeskOptions options, int source, IReadOnlyList<string> tags) =>
        options.MapChannel(new[] { SourceName(source) }.Concat(tags)) ?? source switch
        {
            1 or 10 => Channels.Email,
            2 or 4 or 9 => Channels.Web,
            3 => Channels.Phone,
            5 or 6 => Channels.Social,
            7 => Channels.Chat,
            _ => Channels.Other,
        };

    /// <summary>2 open, 3 pending, 4 resolved, 5 closed; 6 and up are an account's own statuses ("Waiting on customer", "Waiting on third party"), which Freshdesk sets up to stop the SLA clock: on hold.</summary>
    public static string Status(int status) => status switch
    {
        2 => Statuses.Open,
        3 => Statuses.Pending,
        4 => Statuses.Solved,
        5 => Statuses.Closed,
        >= 6 => Statuses.OnHold,
        _ => Statuses.Open,
    };

    /// <summary>1 low, 2 medium, 3 high, 4 urgent.</summary>
    public static string? Priority(int priority) => priority switch
    {
        1 => Priorities.Low,
        2 => Priorities.Medium,
        3 => Priorities.High,
        4 => Priorities.Critical,
        _ => null,
    };
}

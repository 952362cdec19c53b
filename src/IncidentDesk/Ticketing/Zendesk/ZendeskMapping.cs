using System.Globalization;
using System.Text.Json;

namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>Zendesk's vocabulary to the normalized one.</summary>
internal static class ZendeskMapping
{
    // Zendesk's numeric via ids (as in its ticket audit "via" reference) that we can classify.
    private static readonly Dictionary<int, string> ViaIds = new()
    {
        [0] = "web_form",
        [4] = "email",
        [5] = "api",
        [23] = "twitter",
        [26] = "twitter_dm",
        [29] = "chat",
        [30] = "chat",
        [33] = "voice",
        [34] = "voice",
        [35] = "voice",
        [38] = "facebook",
        [41] = "facebook",
        [45] = "voice",
        [48] = "web_widget",
    };

    private static readonly Dictionary<string, string> ViaNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["web"] = Channels.Web,
        ["web_form"] = Channels.Web,
        ["web_widget"] = Channels.Web,
        ["help_center"] = Channels.Web,
        ["email"] = Channels.Email,
        ["mail"] = Channels.Email,
        ["chat"] = Channels.Chat,
        ["chat_transcript"] = Channels.Chat,
        ["native_messaging"] = Channels.Chat,
        ["sunshine_conversations_api"] = Channels.Chat,
        ["voice"] = Channels.Phone,
        ["phone_call_inbound"] = Channels.Phone,
        ["phone_call_outbound"] = Channels.Phone,
        ["voicemail"] = Channels.Phone,
        ["api"] = Channels.Api,
        ["twitter"] = Channels.Social,
        ["twitter_dm"] = Channels.Social,
        ["facebook"] = Channels.Social,
        ["facebook_post"] = Channels.Social,
        ["facebook_message"] = Channels.Social,
        ["telegram"] = Channels.Telegram,
        ["viber"] = Channels.Viber,
        ["instagram_dm"] = Channels.Instagram,
        ["instagram"] = Channels.Instagram,
    };

    /// <summary>The via channel as a name, whether Zendesk sent a string or a number.</summary>
    public static string? ViaName(JsonElement channel) => channel.ValueKind switch
    {
        JsonValueKind.String => channel.GetString(),
        JsonValueKind.Number when channel.TryGetInt32(out var id) => ViaIds.GetValueOrDefault(id, id.ToString(CultureInfo.InvariantCulture)),
        _ => null,
    };

    /// <summary>Configured mapping (via name, then tags) first, so a messenger routed through native_messaging can be told apart by tag.</summary>
    public static string Channel(ZendeskOptions options, string? via, IReadOnlyList<string> tags) =>
        options.MapChannel(new[] { via }.Concat(tags))
        ?? (via is not null && ViaNames.TryGetValue(via, out var c) ? c : Channels.Other);

    public static string Status(string? status) => status switch
    {
        "new" => Statuses.New,
        "open" => Statuses.Open,
        "pending" => Statuses.Pending,
        "hold" => Statuses.OnHold,
        "solved" => Statuses.Solved,
        _ => Statuses.Closed, // closed, deleted
    };

    public static string? Priority(string? priority) => priority switch
    {
        "low" => Priorities.Low,
        "normal" => Priorities.Medium,
        "high" => Priorities.High,
        "urgent" => Priorities.Critical,
        _ => null,
    };
}

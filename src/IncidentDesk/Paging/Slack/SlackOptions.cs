using IncidentDesk.Configuration;

namespace IncidentDesk.Paging.Slack;

/// <summary>Slack Web API and interactivity (section <c>Slack</c>). Without <see cref="BotToken"/> Slack paging is off.</summary>
public sealed class SlackOptions : IValidatedOptions
{
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>The bot token (xoxb-…) with <c>chat:write</c> and <c>channels:history</c>.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Verifies requests to <c>/slack/interactions</c>; without it every interaction is refused.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The channel id pages are posted to, mentioning the person paged.</summary>
    public string Channel { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => BotToken.Length > 0;

    public IEnumerable<string> Validate(string section)
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"{section}:ApiBaseUrl: must be an absolute http(s) URL";
        if (Enabled && string.IsNullOrWhiteSpace(Channel))
            yield return $"{section}:Channel: is required when {section}:BotToken is set (the channel pages are posted to)";
        if (Timeout <= TimeSpan.Zero)
            yield return $"{section}:Timeout: must be positive";
    }
}

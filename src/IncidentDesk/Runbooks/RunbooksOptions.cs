using IncidentDesk.Configuration;

namespace IncidentDesk.Runbooks;

/// <summary>Section <c>Runbooks</c>: how often the step driver runs, how failed automated steps back off.</summary>
public sealed class RunbooksOptions : IValidatedOptions
{
    /// <summary>How often automated steps, deadlines and Jira statuses are looked at.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first retry delay of a failed automated step; it doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the status of an escalation's Jira issue is read.</summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The time zone in which customer notices state the ETA (an IANA id).</summary>
    public string CustomerTimeZone { get; set; } = "UTC";

    public IEnumerable<string> Validate(string section)
    {
        if (PollInterval < TimeSpan.FromMilliseconds(100))
            yield return $"{section}:PollInterval: must be at least 00:00:00.1";
        if (RetryDelay <= TimeSpan.Zero)
            yield return $"{section}:RetryDelay: must be positive";
        if (MaxRetryDelay < RetryDelay)
            yield return $"{section}:MaxRetryDelay: must be at least RetryDelay";
        if (FollowInterval <= TimeSpan.Zero)
            yield return $"{section}:FollowInterval: must be positive";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(CustomerTimeZone, out _))
            yield return $"{section}:CustomerTimeZone: unknown time zone '{CustomerTimeZone}'";
    }
}

/// <summary>
/// A vendor account the runbooks write to (Jira for escalations, Zendesk for customer notices): <c>BaseUrl</c>,
/// <c>Email</c>, <c>ApiToken</c>. Read from <c>Runbooks:Jira</c> / <c>Runbooks:Zendesk</c> when that section exists,
/// else from the ticket source's <c>Ticketing:Jira</c> / <c>Ticketing:Zendesk</c>: escalating into a tech team's
/// Jira must not switch on polling it, and a desk that already polls Zendesk need not configure it twice.
/// </summary>
public abstract class RunbookVendorOptions : IValidatedOptions
{
    public string? BaseUrl { get; set; }
    public string? Email { get; set; }
    public string? ApiToken { get; set; }

    /// <summary>The section the account is read from.</summary>
    public static string Section(IConfiguration configuration, string vendor) =>
        configuration.GetSection($"Runbooks:{vendor}").Exists() ? $"Runbooks:{vendor}" : $"Ticketing:{vendor}";

    public IEnumerable<string> Validate(string section)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            yield return $"{section}:BaseUrl: must be an absolute http(s) URL";
        if (string.IsNullOrWhiteSpace(Email))
            yield return $"{section}:Email: is required (the API token's user)";
        if (string.IsNullOrWhiteSpace(ApiToken))
            yield return $"{section}:ApiToken: is required";
    }
}

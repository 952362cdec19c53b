using IncidentDesk.Configuration;

namespace IncidentDesk.Paging;

/// <summary>Acknowledgment deadline, repeats and delivery (section <c>Paging</c>).</summary>
public sealed class PagingOptions : IValidatedOptions
{
    /// <summary>How long a level has to acknowledge before the next level is paged (the handbook's 15 minutes).</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often an unacknowledged page is repeated within a level (and forever at the top level).</summary>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The address people reach the service at, for the acknowledgment links in e-mail pages.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080/";

    /// <summary>The HMAC key that signs acknowledgment links; at least 32 characters.</summary>
    public string LinkSecret { get; set; } = "";

    /// <summary>How long an acknowledgment link stays valid.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a node may hold a claimed page before another node takes it over (crash recovery).</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the sender looks for due pages when no notification wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries of a failing page.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate(string section)
    {
        if (AckTimeout <= TimeSpan.Zero)
            yield return $"{section}:AckTimeout: must be positive";
        if (RepeatInterval <= TimeSpan.Zero)
            yield return $"{section}:RepeatInterval: must be positive";
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"{section}:PublicBaseUrl: must be an absolute http(s) URL";
        if (LinkSecret.Length is > 0 and < 32)
            yield return $"{section}:LinkSecret: must be at least 32 characters";
        if (LinkLifetime <= TimeSpan.Zero)
            yield return $"{section}:LinkLifetime: must be positive";
        if (ClaimLease < TimeSpan.FromSeconds(1))
            yield return $"{section}:ClaimLease: must be at least 00:00:01";
        if (PollInterval <= TimeSpan.Zero)
            yield return $"{section}:PollInterval: must be positive";
        if (MaxRetryDelay < TimeSpan.FromSeconds(1))
            yield return $"{section}:MaxRetryDelay: must be at least 00:00:01";
    }

    /// <summary>An acknowledgment deadline as pages state it: "15 minutes", or seconds below a minute.</summary>
    public static string Describe(TimeSpan deadline) =>
        deadline.TotalMinutes >= 1 ? $"{deadline.TotalMinutes:0} minutes" : $"{deadline.TotalSeconds:0} seconds";
}

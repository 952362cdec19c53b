using IncidentDesk.Configuration;

namespace IncidentDesk.Ticketing;

/// <summary>Behaviour shared by every source (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions : IValidatedOptions
{
    /// <summary>A source failing for longer than this opens an incident.</summary>
    public TimeSpan SourceDownAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Pages one poll may commit before it yields to the next trigger (keeps a job run bounded during a backlog).</summary>
    public int MaxPagesPerPoll { get; set; } = 50;

    /// <summary>Test-only fault hook: hold the poll between fetch and commit of this page (1-based, per process).</summary>
    public int HoldBeforeCommitPage { get; set; }

    /// <summary>With <see cref="HoldBeforeCommitPage"/>: the file created when the poll is held there.</summary>
    public string? HoldSignalFile { get; set; }

    public IEnumerable<string> Validate(string section)
    {
        if (SourceDownAfter <= TimeSpan.Zero)
            yield return $"{section}:SourceDownAfter: must be positive";
        if (MaxPagesPerPoll < 1)
            yield return $"{section}:MaxPagesPerPoll: must be at least 1";
        if (HoldBeforeCommitPage < 0)
            yield return $"{section}:HoldBeforeCommitPage: must not be negative";
        if (HoldBeforeCommitPage > 0 && string.IsNullOrWhiteSpace(HoldSignalFile))
            yield return $"{section}:HoldSignalFile: is required with HoldBeforeCommitPage";
    }
}

/// <summary>What every polled source's section has: where it is, how often to poll, how long to wait.</summary>
public abstract class PolledSourceOptions : IValidatedOptions
{
    public Uri? BaseUrl { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One HTTP attempt's limit; retries (with backoff and jitter, honouring Retry-After) come on top.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of one request after a 429, 5xx or timeout.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff before a retry (doubled each time, with jitter); a 429's Retry-After takes precedence.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the first poll ever starts; default 30 days before the first poll.</summary>
    public DateTimeOffset? StartFrom { get; set; }

    /// <summary>Source tags (or label values) that mark an escalation to the tech team.</summary>
    public List<string> TechEscalationTags { get; set; } = ["escalated_to_tech"];

    /// <summary>Source tags (or label values) that mark an escalation caused by an agent error.</summary>
    public List<string> AgentErrorTags { get; set; } = ["agent_error"];

    /// <summary>Source channel names or tags (lower case) mapped to normalized channels, e.g. <c>telegram → messenger:telegram</c>.</summary>
    public Dictionary<string, string> ChannelMap { get; set; } = [];

    public virtual IEnumerable<string> Validate(string section)
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("http" or "https"))
            yield return $"{section}:BaseUrl: must be an absolute http(s) URL";
        if (PollInterval < TimeSpan.FromSeconds(1))
            yield return $"{section}:PollInterval: must be at least 00:00:01";
        if (RequestTimeout <= TimeSpan.Zero)
            yield return $"{section}:RequestTimeout: must be positive";
        if (RetryDelay < TimeSpan.Zero)
            yield return $"{section}:RetryDelay: must not be negative";
        if (MaxRetries is < 0 or > 10)
            yield return $"{section}:MaxRetries: must be between 0 and 10";
        foreach (var (from, to) in ChannelMap)
        {
            if (!Channels.IsValid(to))
                yield return $"{section}:ChannelMap:{from}: '{to}' is not a channel (email, web, chat, phone, social, api, other, messenger:<name>)";
        }
    }

    /// <summary>"is required" for each credential or setting left empty.</summary>
    protected static IEnumerable<string> Required(string section, params (string Key, string? Value, string? Hint)[] settings) =>
        settings.Where(s => string.IsNullOrWhiteSpace(s.Value)).Select(s => $"{section}:{s.Key}: is required{(s.Hint is null ? "" : $" ({s.Hint})")}");

    /// <summary>The mapped channel for any of <paramref name="keys"/> (source channel first, then tags), or null.</summary>
    public string? MapChannel(IEnumerable<string?> keys)
    {
        foreach (var key in keys)
        {
            if (key is not null && ChannelMap.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)) is { Value: { } mapped })
                return mapped;
        }
        return null;
    }

    public bool HasAny(IEnumerable<string> tags, List<string> wanted) => tags.Any(t => wanted.Contains(t, StringComparer.OrdinalIgnoreCase));
}

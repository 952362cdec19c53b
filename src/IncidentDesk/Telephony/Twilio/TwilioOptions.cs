using IncidentDesk.Ticketing;

namespace IncidentDesk.Telephony.Twilio;

/// <summary>
/// Twilio (section <c>Telephony:Twilio</c>): the Calls list from <see cref="PolledSourceOptions.BaseUrl"/>
/// (api.twilio.com) and, when <see cref="TaskQueueSids"/> are given, TaskRouter cumulative queue statistics
/// from <see cref="TaskRouterBaseUrl"/> (taskrouter.twilio.com). Basic auth <c>AccountSid:AuthToken</c>.
/// </summary>
public sealed class TwilioOptions : PolledSourceOptions
{
    public const string Section = "Telephony:Twilio";

    public TwilioOptions() => BaseUrl = new Uri("https://api.twilio.com/");

    public string AccountSid { get; set; } = "";

    public string AuthToken { get; set; } = "";

    /// <summary>The TaskRouter workspace (<c>WS…</c>) whose queues' statistics are read.</summary>
    public string WorkspaceSid { get; set; } = "";

    /// <summary>TaskRouter queues (<c>WQ…</c>) whose cumulative statistics are stored per window; none = no statistics.</summary>
    public List<string> TaskQueueSids { get; set; } = [];

    public Uri? TaskRouterBaseUrl { get; set; } = new("https://taskrouter.twilio.com/");

    /// <summary>Calls per page (<c>PageSize</c>, at most 1000).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How far before the end of the last listing the next one starts (calls whose start shows up late).</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Length of one statistics window (<c>StartDate</c> to <c>EndDate</c>); only finished windows are read.</summary>
    public TimeSpan StatisticsWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Where the statistics start on the first poll ever; default one day before it.</summary>
    public DateTimeOffset? StatisticsStartFrom { get; set; }

    /// <summary>Thresholds in seconds for <c>SplitByWaitTime</c> ("answered within N s").</summary>
    public List<int> SplitByWaitTime { get; set; } = [20, 60];

    public bool StatisticsEnabled => TaskQueueSids.Count > 0;

    public override IEnumerable<string> Validate(string section)
    {
        foreach (var problem in base.Validate(section).Concat(Required(section,
            ("AccountSid", AccountSid, "Console → Account info, AC…"), ("AuthToken", AuthToken, "Console → Account info"))))
            yield return problem;
        if (PageSize is < 1 or > 1000)
            yield return $"{section}:PageSize: must be between 1 and 1000";
        if (Lookback < TimeSpan.Zero)
            yield return $"{section}:Lookback: must not be negative";
        if (StatisticsEnabled)
        {
            if (string.IsNullOrWhiteSpace(WorkspaceSid))
                yield return $"{section}:WorkspaceSid: is required with TaskQueueSids (TaskRouter → Workspaces, WS…)";
            if (TaskRouterBaseUrl is null || !TaskRouterBaseUrl.IsAbsoluteUri || TaskRouterBaseUrl.Scheme is not ("http" or "https"))
                yield return $"{section}:TaskRouterBaseUrl: must be an absolute http(s) URL";
            if (StatisticsWindow < TimeSpan.FromMinutes(1))
                yield return $"{section}:StatisticsWindow: must be at least 00:01:00";
            if (TaskQueueSids.Any(string.IsNullOrWhiteSpace) || TaskQueueSids.Distinct(StringComparer.Ordinal).Count() != TaskQueueSids.Count)
                yield return $"{section}:TaskQueueSids: must be distinct, non-empty queue sids (WQ…)";
            if (SplitByWaitTime.Count == 0 || SplitByWaitTime.Any(s => s <= 0))
                yield return $"{section}:SplitByWaitTime: must be positive numbers of seconds";
        }
    }
}

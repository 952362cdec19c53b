using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentDesk.Sla;

/// <summary>What a rule measures. The YAML names are <see cref="SlaRuleKinds.Name"/>.</summary>
public enum SlaRuleKind
{
    ResponseWithin,
    FirstResponseTime,
    Csat,
    AgentErrorEscalations,
    PhoneServiceLevel,
    OutOfHoursShare,
}

/// <summary>Names, runbooks and the direction of each kind.</summary>
public static class SlaRuleKinds
{
    private static readonly Dictionary<SlaRuleKind, (string Name, string Runbook)> Table = new()
    {
        [SlaRuleKind.ResponseWithin] = ("response_within", "sla-response-within"),
        [SlaRuleKind.FirstResponseTime] = ("first_response_time", "sla-first-response-time"),
        [SlaRuleKind.Csat] = ("csat", "sla-csat"),
        [SlaRuleKind.AgentErrorEscalations] = ("agent_error_escalations", "sla-agent-error-escalations"),
        [SlaRuleKind.PhoneServiceLevel] = ("phone_service_level", "sla-phone-service-level"),
        [SlaRuleKind.OutOfHoursShare] = ("out_of_hours_share", "sla-out-of-hours-share"),
    };

    public static string Name(SlaRuleKind kind) => Table[kind].Name;

    /// <summary>The file stem of the runbook an incident of this kind links to (<c>runbooks/{stem}.md</c>).</summary>
    public static string Runbook(SlaRuleKind kind) => Table[kind].Runbook;

    public static bool TryParse(string name, out SlaRuleKind kind)
    {
        foreach (var (k, v) in Table)
        {
            if (v.Name == name)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    public static IEnumerable<string> Names => Table.Values.Select(v => v.Name);

    /// <summary>
    /// True when the measured share must stay at or below the target (agent-error escalations, out-of-hours
    /// contacts); the other kinds measure a share that must reach the target.
    /// </summary>
    public static bool IsAtMost(SlaRuleKind kind) => kind is SlaRuleKind.AgentErrorEscalations or SlaRuleKind.OutOfHoursShare;

    /// <summary>Response-time kinds are measured on first responses; their unanswered tickets are counted live.</summary>
    public static bool IsResponseTime(SlaRuleKind kind) => kind is SlaRuleKind.ResponseWithin or SlaRuleKind.FirstResponseTime;
}

/// <summary>Whether durations count every second or only the calendar's business hours.</summary>
public enum TimeBasis
{
    Calendar,
    Business,
}

/// <summary>Which contacts a rule looks at. An empty list means "any".</summary>
public sealed record SlaScope(
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> Priorities,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Queues)
{
    public static SlaScope All { get; } = new([], [], [], []);

    /// <summary>True when some contact could fall in both scopes.</summary>
    public bool Overlaps(SlaScope other) =>
        Intersects(Channels, other.Channels) && Intersects(Priorities, other.Priorities)
        && Intersects(Sources, other.Sources) && Intersects(Queues, other.Queues);

    public string Describe()
    {
        var parts = new List<string>();
        void Add(string name, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
                parts.Add($"{name}={string.Join('|', values)}");
        }
        Add("channel", Channels);
        Add("priority", Priorities);
        Add("source", Sources);
        Add("queue", Queues);
        return parts.Count == 0 ? "all contacts" : string.Join(' ', parts);
    }

    private static bool Intersects(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 || b.Count == 0 || a.Intersect(b, StringComparer.Ordinal).Any();
}

/// <summary>One rule of <c>alerts/sla-rules.yaml</c>, validated.</summary>
public sealed record SlaRule
{
    public required string Name { get; init; }
    public required SlaRuleKind Kind { get; init; }
    public SlaScope Scope { get; init; } = SlaScope.All;

    /// <summary>One result (and one incident) per channel instead of one for the whole scope.</summary>
    public bool PerChannel { get; init; } = true;

    /// <summary>The rolling window ending at the evaluation time.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>The share to reach (or, for <see cref="SlaRuleKinds.IsAtMost"/> kinds, not to exceed), 0–1.</summary>
    public required double Target { get; init; }

    /// <summary>Response-time threshold (response kinds) or answer threshold (phone).</summary>
    public TimeSpan? Within { get; init; }

    public TimeBasis Basis { get; init; } = TimeBasis.Calendar;
    public string? Calendar { get; init; }
    public int MinSamples { get; init; } = 10;
    public string Severity { get; init; } = "high";

    /// <summary>How long a breached rule must stay within target before the incident's timeline says "recovered".</summary>
    public TimeSpan RecoverAfter { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Subtract the time the source reports as on hold / paused from response times.</summary>
    public bool ExcludePaused { get; init; } = true;

    /// <summary>CSAT: how far below the previous window the score may fall and still count as stable.</summary>
    public double Tolerance { get; init; } = 0.02;

    /// <summary>Phone: the abandonment rate not to exceed.</summary>
    public double? MaxAbandonRate { get; init; }

    /// <summary>Out-of-hours share: which contacts are critical services (decision tree). Empty = priority critical.</summary>
    public SlaScope CriticalScope { get; init; } = new([], ["critical"], [], []);

    /// <summary>Line in the rules file, for messages.</summary>
    public int Line { get; init; }

    /// <summary>How far back the rule reads: CSAT compares with the window before.</summary>
    public TimeSpan Lookback => Kind == SlaRuleKind.Csat ? Window * 2 : Window;

    /// <summary>
    /// Changes whenever anything that shapes the rollup changes (and with it the calendar's definition),
    /// so that editing a threshold rebuilds the rule's buckets instead of mixing two definitions.
    /// </summary>
    public string Fingerprint(BusinessCalendar? calendar)
    {
        var text = string.Join('\u001f',
            SlaRuleKinds.Name(Kind), Scope.Describe(), PerChannel, Within?.TotalSeconds.ToString(CultureInfo.InvariantCulture) ?? "",
            Basis, calendar?.Fingerprint ?? "", ExcludePaused, CriticalScope.Describe(), Lookback.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            // v2 of phone_service_level: calls without a known wait left out, queue statistics windows counted.
            Kind == SlaRuleKind.PhoneServiceLevel ? "v2" : "v1");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The calendar that business-time arithmetic uses, or null for calendar time.</summary>
    public string? TimeCalendar => Kind == SlaRuleKind.OutOfHoursShare || Basis == TimeBasis.Business ? Calendar : null;
}

/// <summary>A validated rules file: rules plus the calendars they name.</summary>
public sealed record SlaRuleSet(IReadOnlyList<SlaRule> Rules, IReadOnlyDictionary<string, BusinessCalendar> Calendars)
{
    public static SlaRuleSet Empty { get; } = new([], new Dictionary<string, BusinessCalendar>());

    public BusinessCalendar? CalendarOf(SlaRule rule) => rule.TimeCalendar is { } name ? Calendars[name] : null;
}

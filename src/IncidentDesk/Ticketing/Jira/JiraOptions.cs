namespace IncidentDesk.Ticketing.Jira;

/// <summary>Jira Service Management Cloud (section <c>Ticketing:Jira</c>); Basic auth with an Atlassian API token.</summary>
public sealed class JiraOptions : PolledSourceOptions
{
    public const string Section = "Ticketing:Jira";

    public string Email { get; set; } = "";
    public string ApiToken { get; set; } = "";

    /// <summary>Which requests to read, e.g. <c>project = SUP</c>; the poller adds the <c>updated &gt;=</c> bound and the order.</summary>
    public string Jql { get; set; } = "";

    /// <summary>The SLA metric whose cycles give first response, breach, pause and remaining time.</summary>
    public string FirstResponseSla { get; set; } = "Time to first response";

    /// <summary>
    /// The time zone JQL dates are read in: Jira interprets <c>updated &gt;= "…"</c> in the API user's
    /// profile time zone, so this must match it (IANA id).
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Issues per search page (Jira caps it, 100 is safe with explicit fields).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>SLA requests in flight at once (one per request of a page).</summary>
    public int SlaConcurrency { get; set; } = 4;

    /// <summary>A field (e.g. <c>customfield_10050</c>) that, when set, marks an escalation to tech (in addition to the labels in <c>TechEscalationTags</c>).</summary>
    public string? TechEscalationField { get; set; }

    /// <summary>A field that, when set, marks an escalation caused by an agent error (in addition to <c>AgentErrorTags</c>).</summary>
    public string? AgentErrorField { get; set; }

    /// <summary>A field whose value names the channel (looked up in <c>ChannelMap</c>), e.g. a select "Contact channel".</summary>
    public string? ChannelField { get; set; }

    /// <summary>The channel of a request nothing maps: JSM requests come through the customer portal unless told otherwise.</summary>
    public string DefaultChannel { get; set; } = Channels.Web;

    internal TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public override IEnumerable<string> Validate(string section)
    {
        foreach (var problem in base.Validate(section))
            yield return problem;
        foreach (var problem in Required(section, ("Email", Email, "the API token's user"), ("ApiToken", ApiToken, null)))
            yield return problem;
        if (Jql.Contains("order by", StringComparison.OrdinalIgnoreCase))
            yield return $"{section}:Jql: must not contain ORDER BY (the poller orders by updated)";
        if (string.IsNullOrWhiteSpace(FirstResponseSla))
            yield return $"{section}:FirstResponseSla: is required (the SLA name, e.g. \"Time to first response\")";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return $"{section}:TimeZone: '{TimeZone}' is not a known time zone (IANA id, e.g. Europe/Berlin)";
        if (PageSize is < 1 or > 100)
            yield return $"{section}:PageSize: must be between 1 and 100";
        if (SlaConcurrency is < 1 or > 16)
            yield return $"{section}:SlaConcurrency: must be between 1 and 16";
        if (!Channels.IsValid(DefaultChannel))
            yield return $"{section}:DefaultChannel: '{DefaultChannel}' is not a channel";
    }
}

namespace IncidentDesk.Ticketing.Freshdesk;

/// <summary>Freshdesk v2 (section <c>Ticketing:Freshdesk</c>); Basic auth with the API key as user and <c>X</c> as password.</summary>
public sealed class FreshdeskOptions : PolledSourceOptions
{
    public const string Section = "Ticketing:Freshdesk";

    public string ApiKey { get; set; } = "";

    /// <summary>Tickets per page (<c>per_page</c>, at most 100).</summary>
    public int PageSize { get; set; } = 100;

    public override IEnumerable<string> Validate(string section)
    {
        foreach (var problem in base.Validate(section).Concat(Required(section, ("ApiKey", ApiKey, "Profile settings → Your API key"))))
            yield return problem;
        if (PageSize is < 1 or > 100)
            yield return $"{section}:PageSize: must be between 1 and 100";
    }
}

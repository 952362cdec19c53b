namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>Zendesk Support (section <c>Ticketing:Zendesk</c>); API token authentication.</summary>
public sealed class ZendeskOptions : PolledSourceOptions
{
    public const string Section = "Ticketing:Zendesk";

    public string Email { get; set; } = "";
    public string ApiToken { get; set; } = "";

    public override IEnumerable<string> Validate(string section)
    {
        foreach (var problem in base.Validate(section))
            yield return problem;
        if (string.IsNullOrWhiteSpace(Email))
            yield return $"{section}:Email: is required (the API token's user)";
        if (string.IsNullOrWhiteSpace(ApiToken))
            yield return $"{section}:ApiToken: is required";
    }
}

namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>Zendesk Support (section <c>Ticketing:Zendesk</c>); API token authentication.</summary>
public sealed class ZendeskOptions : PolledSourceOptions
{
    public const string Section = "Ticketing:Zendesk";

    public string Email { get; set; } = "";
    public string ApiToken { get; set; } = "";

    public override IEnumerable<string> Validate(string section) =>
        base.Validate(section).Concat(Required(section, ("Email", Email, "the API token's user"), ("ApiToken", ApiToken, null)));
}

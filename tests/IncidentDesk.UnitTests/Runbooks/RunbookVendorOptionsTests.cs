using IncidentDesk.Runbooks;
using IncidentDesk.Runbooks.Escalate;
using Microsoft.Extensions.Configuration;

namespace IncidentDesk.UnitTests.Runbooks;

public sealed class RunbookVendorOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void The_runbooks_own_section_wins_and_the_ticket_source_is_the_fallback()
    {
        var both = Config(("Runbooks:Jira:BaseUrl", "https://tech.example.net"), ("Ticketing:Jira:BaseUrl", "https://desk.example.net"));
        RunbookVendorOptions.Section(both, "Jira").Should().Be("Runbooks:Jira");
        RunbookVendorOptions.Section(Config(("Ticketing:Jira:BaseUrl", "https://desk.example.net")), "Jira").Should().Be("Ticketing:Jira");
        RunbookVendorOptions.Section(Config(), "Zendesk").Should().Be("Ticketing:Zendesk");
    }

    [Fact]
    public void Every_missing_or_bad_key_is_named_by_its_full_path()
    {
        new JiraEscalationOptions { BaseUrl = "tech.example.net" }.Validate("Runbooks:Jira").Should().Equal(
            "Runbooks:Jira:BaseUrl: must be an absolute http(s) URL",
            "Runbooks:Jira:Email: is required (the API token's user)",
            "Runbooks:Jira:ApiToken: is required");
        new JiraEscalationOptions { BaseUrl = "https://tech.example.net", Email = "bot@example.net", ApiToken = "t" }
            .Validate("Runbooks:Jira").Should().BeEmpty();
    }
}

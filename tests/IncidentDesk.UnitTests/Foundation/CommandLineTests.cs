using System.CommandLine;
using IncidentDesk.Cli;

namespace IncidentDesk.UnitTests.Foundation;

public sealed class CommandLineTests
{
    [Fact]
    public void The_root_command_offers_the_contract_verbs()
    {
        var names = CommandLine.Build().Subcommands.Select(c => c.Name).ToList();
        names.Should().Contain(["serve", "migrate", "check"]);
    }

    [Fact]
    public void Every_verb_has_a_description_for_help()
    {
        CommandLine.Build().Subcommands.Should().AllSatisfy(c => c.Description.Should().NotBeNullOrWhiteSpace());
    }
}

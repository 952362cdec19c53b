using IncidentDesk.Storage;

namespace IncidentDesk.UnitTests.Foundation;

public sealed class MigrationScriptTests
{
    [Fact]
    public void Scripts_are_embedded_numbered_and_in_order()
    {
        var names = Migrator.Scripts.Select(s => s.Name).ToList();
        names.Should().NotBeEmpty().And.BeInAscendingOrder(StringComparer.Ordinal);
        names.Should().AllSatisfy(n => n.Should().MatchRegex(@"^\d{4}_[a-z0-9_]+$"));
        names.Select(n => n[..4]).Should().OnlyHaveUniqueItems("two scripts with one number would apply in an accidental order");
        names[0].Should().Be("0001_quartz");
    }

    [Fact]
    public void Quartz_script_has_no_unsubstituted_placeholders()
    {
        Migrator.Scripts.Single(s => s.Name == "0001_quartz").Sql.Should().NotContain("{0}").And.NotContain("{1}").And.Contain("qrtz_triggers");
    }
}

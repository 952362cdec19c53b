using IncidentDesk.Incidents;
using IncidentDesk.Runbooks;

namespace IncidentDesk.UnitTests.Runbooks;

public sealed class RunbookParserTests
{
    private const string Valid = """
        ---
        title: Test
        steps:
          - id: acknowledge
            kind: acknowledge
            deadline: 15m
            owner: shift-lead
          - id: tell
            kind: communicate
            deadline: 00:30:00
            owner: shift-lead
            after: [acknowledge]
            template: outage
            channels: [email, comment]
            eta: 2h
        ---
        # Test
        ## acknowledge
        Confirm.
        ## tell
        Tell them.
        """;

    [Fact]
    public void A_valid_runbook_yields_its_steps_settings_and_guidance()
    {
        var (runbook, problems) = RunbookParser.Parse("x/test.md", Valid, _ => true);
        problems.Should().BeEmpty();
        runbook!.Name.Should().Be("test");
        runbook.Steps.Select(s => (s.Id, s.Kind, s.Deadline)).Should().Equal(("acknowledge", "acknowledge", TimeSpan.FromMinutes(15)), ("tell", "communicate", TimeSpan.FromMinutes(30)));
        runbook.Steps[1].After.Should().Equal("acknowledge");
        runbook.Steps[1].Settings["channels"].Should().Be("email,comment");
        runbook.Guidance["tell"].Should().Be("Tell them.");
    }

    [Theory]
    [InlineData("kind: communicate", "kind: shout", 9, "unknown step kind 'shout'")]
    [InlineData("    deadline: 00:30:00\n", "", 8, "step 'tell' has no deadline")]
    [InlineData("deadline: 15m", "deadline: soon", 6, "deadline 'soon' is not a duration")]
    [InlineData("owner: shift-lead\n  - id: tell", "owner: intern\n  - id: tell", 7, "owner 'intern' is not one of")]
    [InlineData("    eta: 2h\n", "", 8, "communicate step 'tell' needs an eta")]
    [InlineData("    template: outage\n", "    template: outage\n    colour: red\n", 14, "'colour' is not a setting of a communicate step")]
    [InlineData("after: [acknowledge]", "after: [later]", 8, "runs after 'later', which is not an earlier step")]
    [InlineData("## tell\n", "## other\n", 8, "step 'tell' has no '## tell' section")]
    [InlineData("steps:", "steps: [", 4, "YAML:")]
    public void A_broken_runbook_is_reported_with_its_line(string from, string to, int line, string message)
    {
        var (runbook, problems) = RunbookParser.Parse("x/test.md", Valid.Replace(from, to, StringComparison.Ordinal), _ => true);
        runbook.Should().BeNull("a broken file is never half-applied");
        problems.Should().Contain(p => p.Line == line && p.Message.Contains(message, StringComparison.Ordinal), string.Join("\n", problems));
    }

    [Fact]
    public void A_communicate_step_naming_a_template_without_both_languages_is_reported()
    {
        var (_, problems) = RunbookParser.Parse("x/test.md", Valid, name => name == "outage.de");
        problems.Should().ContainSingle().Which.ToString().Should().Be("x/test.md:8: template 'outage' has no en version (runbooks/templates/outage.en.txt)");
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("5d", 432000)]
    [InlineData("01:00:00", 3600)]
    public void Durations_read_as_people_write_them(string text, int seconds) =>
        RunbookParser.ParseDuration(text).Should().Be(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("0m")]
    [InlineData("-5m")]
    [InlineData("later")]
    public void Non_durations_are_refused(string text) => RunbookParser.ParseDuration(text).Should().BeNull();
}

public sealed class RunbookCatalogTests
{
    private static readonly RunbookCatalog Shipped = new(Path.Combine(FindRoot(), "runbooks"));

    [Fact]
    public void The_shipped_runbooks_load_without_problems_and_include_every_promised_stem()
    {
        Shipped.Problems.Should().BeEmpty();
        Shipped.Runbooks.Keys.Should().BeEquivalentTo(
            "sla-response-within", "sla-first-response-time", "sla-csat", "sla-agent-error-escalations", "sla-phone-service-level",
            "sla-out-of-hours-share", "integration-down", "tool-rollout-failure", "generic", "sla-breach", "service-health");
        Shipped.Runbooks.Values.Should().OnlyContain(r => r.Steps[0].Kind == StepKinds.Acknowledge && r.Steps[0].Deadline == TimeSpan.FromMinutes(15),
            "the handbook: the shift lead confirms within 15 minutes");
    }

    [Fact]
    public void Every_runbook_url_of_the_prometheus_alerts_names_a_shipped_runbook()
    {
        var rules = File.ReadAllText(Path.Combine(FindRoot(), "alerts", "prometheus", "incidentdesk.yml"));
        var stems = System.Text.RegularExpressions.Regex.Matches(rules, @"runbook_url: ""runbooks/([a-z0-9-]+)\.md""")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        stems.Should().NotBeEmpty();
        Shipped.Runbooks.Keys.Should().Contain(stems, "an alert's incident follows the runbook its runbook_url names");
    }

    [Theory]
    [InlineData("sla", "runbook=sla-csat", "sla-csat")]
    [InlineData("sla", "kind=phone-service-level", "sla-phone-service-level")]
    [InlineData("alertmanager", "runbook_url=https://wiki.example.com/runbooks/integration-down.md", "integration-down")]
    [InlineData("alertmanager", "alertname=ToolRolloutFailed", "tool-rollout-failure")]
    [InlineData("integration", "", "integration-down")]
    [InlineData("alertmanager", "runbook=no-such-runbook", "generic")]
    [InlineData("manual", "", "generic")]
    public void An_incident_gets_its_runbook_by_label_then_url_then_match_then_generic(string source, string label, string expected)
    {
        var labels = label.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [label.Split('=')[0]] = label.Split('=')[1] };
        Shipped.Select(new Incident { Source = source, Labels = labels }).Name.Should().Be(expected);
    }

    [Fact]
    public void Templates_render_with_every_placeholder_filled()
    {
        var notice = Shipped.Templates.Render("outage", "de", new NoticeModel("4711", "Erika", "Portal", "heute 14:00", 3, "x"));
        notice.Subject.Should().Be("Störung bei Portal – Ihr Ticket 4711");
        notice.Body.Should().Contain("Guten Tag Erika").And.Contain("bis heute 14:00").And.NotContain("{{");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IncidentDesk.sln")))
            dir = dir.Parent;
        return dir!.FullName;
    }
}

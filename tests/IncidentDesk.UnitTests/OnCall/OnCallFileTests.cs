using IncidentDesk.OnCall;

namespace IncidentDesk.UnitTests.OnCall;

public sealed class OnCallFileTests
{
    private const string Valid = """
        timeZone: Europe/Berlin
        people:
          - { id: a, slack: U0AAAA01, email: a@example.com }
          - { id: b, email: b@example.com }
        shifts:
          - { name: day, start: "08:00", end: "20:00" }
          - { name: night, start: "20:00", end: "08:00" }
        rotation: { every: daily, startsOn: 2026-01-05, crews: [{ lead: a, agents: [] }, { lead: b, agents: [a] }] }
        escalation:
          - { level: 1, notify: [shift-lead] }
          - { level: 2, notify: [b] }
        """;

    [Fact]
    public void A_valid_file_parses_with_channels_defaulting_to_every_address()
    {
        var (schedule, problems) = OnCallFile.Parse(Valid, "alerts/oncall.yaml");
        problems.Should().BeEmpty();
        schedule!.People["a"].Notify.Should().Equal("slack", "email");
        schedule.People["b"].Notify.Should().Equal("email");
        schedule.FindBySlackId("U0AAAA01")!.Id.Should().Be("a");
    }

    [Theory]
    [InlineData("timeZone: Europe/Berlin", "timeZone: Europe/Berlinn", 1, "unknown IANA time zone")]
    [InlineData("{ name: night, start: \"20:00\"", "{ name: night, start: \"2O:00\"", 7, "is not a time")]
    [InlineData("{ lead: b, agents: [a] }", "{ lead: b, agents: [zed] }", 8, "unknown person 'zed'")]
    [InlineData("{ level: 2, notify: [b] }", "{ level: 3, notify: [b] }", 11, "levels are numbered")]
    [InlineData("slack: U0AAAA01", "slack: alice", 3, "Slack member id")]
    [InlineData("end: \"08:00\" }", "end: \"07:00\" }", 6, "nobody is on duty at 07:00")]
    [InlineData("every: daily", "every: hourly", 8, "daily or weekly")]
    [InlineData("  - { level: 1", "  - { levl: 1", 10, "unknown key 'levl'")]
    [InlineData("notify: [shift-lead] }", "notify: [shift-lead], timeout: soon }", 10, "timeout 'soon' is not a duration")]
    public void A_broken_file_reports_path_line_and_what_is_wrong(string from, string to, int line, string message)
    {
        var (schedule, problems) = OnCallFile.Parse(Valid.Replace(from, to, StringComparison.Ordinal), "alerts/oncall.yaml");
        schedule.Should().BeNull("a broken file is never half-applied");
        problems.Should().Contain(p => p.Line == line && p.Message.Contains(message, StringComparison.Ordinal),
            string.Join("\n", problems));
        problems[0].ToString().Should().StartWith("alerts/oncall.yaml:");
    }

    [Fact]
    public void Invalid_yaml_reports_the_line_of_the_syntax_error()
    {
        var (_, problems) = OnCallFile.Parse("timeZone: Europe/Berlin\npeople:\n  - { id: a, slack: [\n", "oncall.yaml");
        problems.Should().ContainSingle().Which.ToString().Should().MatchRegex(@"^oncall\.yaml:[34]: not valid YAML");
    }

    [Fact]
    public void A_level_may_set_its_own_acknowledgment_timeout()
    {
        var (schedule, problems) = OnCallFile.Parse(Valid.Replace("notify: [shift-lead] }", "notify: [shift-lead], timeout: 5m }", StringComparison.Ordinal), "alerts/oncall.yaml");
        problems.Should().BeEmpty();
        schedule!.Escalation.Select(l => l.Timeout).Should().Equal(TimeSpan.FromMinutes(5), null);
    }
}

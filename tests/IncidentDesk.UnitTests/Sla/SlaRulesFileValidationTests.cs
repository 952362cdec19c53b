using IncidentDesk.Sla;

namespace IncidentDesk.UnitTests.Sla;

/// <summary><c>alerts/sla-rules.yaml</c>: every problem as path:line: message, and a broken file is never half-applied.</summary>
public sealed class SlaRulesFileValidationTests
{
    private const string Calendar = """
        calendars:
          office:
            time_zone: Europe/Berlin
            hours:
              mon-fri: "09:00-18:00"
            holidays: [2026-12-25]
        """;

    private static SlaRulesFile.LoadResult Parse(string rules) => SlaRulesFile.Parse(Calendar + "\nrules:\n" + rules, "alerts/sla-rules.yaml");

    private const string Good = """
          - name: email
            kind: response_within
            scope: { channels: [email] }
            window: 24h
            within: 30m
            target: 0.8
        """;

    [Fact]
    public void The_shipped_sample_file_is_valid_and_covers_every_rule_kind()
    {
        var path = Path.Combine(RepoRoot(), "alerts", SlaRulesFile.FileName);
        var result = SlaRulesFile.Load(path);
        result.Problems.Should().BeEmpty();
        result.RuleSet!.Rules.Select(r => r.Kind).Distinct().Should().BeEquivalentTo(Enum.GetValues<SlaRuleKind>());
        result.RuleSet.Rules.Should().Contain(r => r.Kind == SlaRuleKind.ResponseWithin && r.Target == 0.80, "the handbook's 80 %");
        result.RuleSet.Rules.Should().Contain(r => r.Kind == SlaRuleKind.AgentErrorEscalations && r.Target == 0.05, "the handbook's < 5 %");
        result.RuleSet.Rules.Should().Contain(r => r.Kind == SlaRuleKind.OutOfHoursShare && r.Target == 0.05, "the handbook's 5 % threshold");
    }

    [Fact]
    public void A_valid_rule_is_read_with_its_values()
    {
        var result = Parse(Good);
        result.Problems.Should().BeEmpty();
        var rule = result.RuleSet!.Rules.Single();
        rule.Should().BeEquivalentTo(new { Name = "email", Kind = SlaRuleKind.ResponseWithin, Window = TimeSpan.FromHours(24), Within = TimeSpan.FromMinutes(30), Target = 0.8, Line = 8 });
        rule.Scope.Channels.Should().Equal("email");
        result.RuleSet.Calendars["office"].Holidays.Should().Contain(new DateOnly(2026, 12, 25));
    }

    [Theory]
    [InlineData("kind: response_in", "unknown kind 'response_in'")]
    [InlineData("window: 24 hours", "bad duration '24 hours' for window")]
    [InlineData("within: 0m", "bad duration '0m' for within")]
    [InlineData("target: 1.2", "target 1.2 is outside 0–1")]
    [InlineData("target: -0.1", "target -0.1 is outside 0–1")]
    [InlineData("severity: urgent", "severity must be one of")]
    [InlineData("colour: red", "unknown key 'colour'")]
    [InlineData("tolerance: 0.1", "'tolerance' does not apply to kind response_within")]
    public void A_bad_value_is_reported_on_its_line(string replacement, string message)
    {
        var key = replacement.Split(':')[0];
        var lines = Good.Split('\n').ToList();
        var index = lines.FindIndex(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal) || l.TrimStart().StartsWith("- " + key + ":", StringComparison.Ordinal));
        if (index < 0)
            lines.Insert(2, "    " + replacement);
        else
            lines[index] = lines[index][..lines[index].IndexOf(key, StringComparison.Ordinal)] + replacement;
        var result = Parse(string.Join('\n', lines));

        result.RuleSet.Should().BeNull("a file with a problem is never applied");
        var problem = result.Problems.Should().ContainSingle().Subject;
        problem.ToString().Should().StartWith($"alerts/sla-rules.yaml:{8 + (index < 0 ? 2 : index)}: ").And.Contain(message);
    }

    [Fact]
    public void An_unknown_calendar_is_reported_with_the_calendars_that_exist()
    {
        var result = Parse(Good + "\n    basis: business\n    calendar: paris-office\n");
        result.Problems.Should().ContainSingle().Which.ToString().Should()
            .Be("alerts/sla-rules.yaml:15: rule 'email': unknown calendar 'paris-office' (defined: office)");
    }

    [Fact]
    public void Business_basis_without_a_calendar_is_refused()
    {
        var result = Parse(Good + "\n    basis: business\n");
        result.Problems.Should().ContainSingle().Which.Message.Should().Contain("calendar is required");
    }

    [Fact]
    public void Overlapping_scopes_of_one_kind_are_reported_on_the_second_rule()
    {
        var result = Parse(Good + """

              - name: email-and-chat
                kind: response_within
                scope: { channels: [chat, email] }
                window: 1h
                within: 5m
                target: 0.9
              - name: chat-phone-sl
                kind: phone_service_level
                window: 1h
                within: 20s
                target: 0.8
            """);
        var problem = result.Problems.Should().ContainSingle().Subject;
        problem.Line.Should().Be(14);
        problem.Message.Should().Contain("overlaps rule 'email' (line 8)");
        result.RuleSet.Should().BeNull();
    }

    [Fact]
    public void Scopes_disjoint_in_one_dimension_do_not_overlap()
    {
        var result = Parse("""
              - name: high
                kind: first_response_time
                scope: { priorities: [high], channels: [email] }
                window: 7d
                within: 4h
                target: 0.9
              - name: critical
                kind: first_response_time
                scope: { priorities: [critical], channels: [email] }
                window: 7d
                within: 1h
                target: 0.9
            """);
        result.Problems.Should().BeEmpty();
        result.RuleSet!.Rules.Should().HaveCount(2);
    }

    [Fact]
    public void Calendar_problems_name_the_zone_and_the_hours()
    {
        var result = SlaRulesFile.Parse("""
            calendars:
              office:
                time_zone: Europe/Berlinn
                hours:
                  mon-fri: "09:00-18:00"
                  sat: "10:00-09:00"
                  someday: "10:00-12:00"
                holidays: [2026-13-01]
            rules: []
            """, "f.yaml");
        result.Problems.Select(p => p.ToString()).Should().BeEquivalentTo(
            "f.yaml:3: calendar 'office': unknown time zone 'Europe/Berlinn' (use an IANA name such as Europe/Berlin)",
            "f.yaml:6: calendar 'office': bad hours '10:00-09:00' (expected HH:MM-HH:MM, end after start, at most 24:00)",
            "f.yaml:7: calendar 'office': unknown day 'someday' (mon..sun or a range such as mon-fri)",
            "f.yaml:8: calendar 'office': bad holiday '2026-13-01' (expected YYYY-MM-DD)");
    }

    [Fact]
    public void Invalid_yaml_is_one_problem_with_its_line()
    {
        var result = SlaRulesFile.Parse("rules:\n  - name: a\n    kind: [csat\n", "f.yaml");
        result.RuleSet.Should().BeNull();
        result.Problems.Should().ContainSingle().Which.ToString().Should().StartWith("f.yaml:").And.Contain("invalid YAML");
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_not_just_the_first()
    {
        var result = Parse("""
              - name: a
                kind: csat
                window: 1w
                target: 0.9
              - name: b
                kind: nonsense
                window: 1h
                target: 0.9
            """);
        result.Problems.Select(p => p.Line).Should().Equal(10, 13);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h30m", 5400)]
    [InlineData("7d", 604800)]
    [InlineData("1d12h", 129600)]
    public void Durations_are_read(string text, int seconds)
    {
        IncidentDesk.Configuration.Durations.TryParse(text, out var value).Should().BeTrue();
        value.Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1m1h")]
    [InlineData("-5m")]
    [InlineData("0s")]
    public void Bad_durations_are_refused(string text) => IncidentDesk.Configuration.Durations.TryParse(text, out _).Should().BeFalse();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IncidentDesk.sln")))
            dir = dir.Parent;
        return dir!.FullName;
    }
}

using IncidentDesk.Dashboards;

namespace IncidentDesk.UnitTests.Observability;

public sealed class AlertRuleFileCheckTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private const string Valid = """
        groups:
          - name: g
            rules:
              - alert: SomethingDown
                expr: up == 0
                for: 5m
                labels:
                  severity: critical
                annotations:
                  summary: "down"
                  description: "it is down"
                  runbook_url: "runbooks/service-down.md"
        """;

    [Fact]
    public void The_repository_rules_have_no_problems()
    {
        Directory.GetFiles(Repo.Path("alerts", "prometheus"), "*.yml").Should().NotBeEmpty();
        AlertRuleFileCheck.Check(Repo.Path("alerts", "prometheus")).Should().BeEmpty();
    }

    [Fact]
    public void A_valid_rule_passes()
    {
        temp.Write("ok.yml", Valid);
        AlertRuleFileCheck.Check(temp.Path).Should().BeEmpty();
    }

    [Fact]
    public void A_missing_runbook_url_is_reported_on_the_annotations_line()
    {
        var file = temp.Write("r.yml", string.Join('\n', Valid.Split('\n').Where(l => !l.Contains("runbook_url", StringComparison.Ordinal))));
        AlertRuleFileCheck.Check(temp.Path).Select(p => p.ToString()).Should().Equal(
            $"{file}:10: SomethingDown: missing annotation \"runbook_url\"");
    }

    [Fact]
    public void A_runbook_url_that_is_not_a_runbook_file_is_reported()
    {
        var file = temp.Write("r.yml", Valid.Replace("runbooks/service-down.md", "see the wiki", StringComparison.Ordinal));
        AlertRuleFileCheck.Check(temp.Path).Select(p => p.ToString()).Should().Equal(
            $"{file}:12: SomethingDown: runbook_url 'see the wiki' must name a runbook file, runbooks/<name>.md (or an http(s) URL of one)");
    }

    [Fact]
    public void Unknown_fields_a_bad_duration_and_a_missing_severity_are_reported_with_lines()
    {
        var file = temp.Write("r.yml", Valid
            .Replace("for: 5m", "for: five minutes", StringComparison.Ordinal)
            .Replace("severity: critical", "team: support", StringComparison.Ordinal)
            .Replace("    expr: up == 0", "    expr: up == 0\n        annotaions: {}", StringComparison.Ordinal));
        AlertRuleFileCheck.Check(temp.Path).Select(p => p.ToString()).Should().BeEquivalentTo(
            $"{file}:6: unknown rule field 'annotaions' (Prometheus refuses the file)",
            $"{file}:7: SomethingDown: \"for\" 'five minutes' is not a Prometheus duration (e.g. 5m)",
            $"{file}:9: SomethingDown: label \"severity\" must be one of critical, warning, info");
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_its_line()
    {
        var file = temp.Write("r.yml", "groups:\n  - name: g\n    rules: [\n");
        AlertRuleFileCheck.Check(temp.Path).Should().ContainSingle().Which.ToString().Should().StartWith($"{file}:").And.Contain("invalid YAML");
    }
}

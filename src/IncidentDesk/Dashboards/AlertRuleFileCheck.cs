using System.Text.RegularExpressions;
using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentDesk.Dashboards;

/// <summary>
/// <c>incidentdesk check</c> for <c>alerts/prometheus/*.yml</c>: the shape Prometheus loads, plus the annotations
/// our operators rely on (summary, description, runbook_url) and a severity label. PromQL itself is checked by
/// <c>promtool check rules</c> in the tests.
/// </summary>
internal sealed partial class AlertRuleFileCheck(IOptions<PathsOptions> paths) : ICheck
{
    private static readonly HashSet<string> RuleKeys = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"];
    private static readonly HashSet<string> Severities = ["critical", "warning", "info"];

    public IEnumerable<Problem> Run() => Check(Path.Combine(paths.Value.Alerts, "prometheus"));

    public static IReadOnlyList<Problem> Check(string folder)
    {
        if (!Directory.Exists(folder))
            return [];
        return Directory.GetFiles(folder, "*.yml").Order(StringComparer.Ordinal).SelectMany(CheckFile).ToList();
    }

    public static IReadOnlyList<Problem> CheckFile(string path)
    {
        var problems = new List<Problem>();
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            return [new Problem(path, (int)e.Start.Line, "invalid YAML: " + e.Message)];
        }
        void Add(YamlNode node, string message) => problems.Add(new Problem(path, (int)node.Start.Line, message));

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return [new Problem(path, 1, "a rule file is a mapping with \"groups\"")];
        if (Child(root, "groups") is not YamlSequenceNode groups)
        {
            Add(root, "missing \"groups\" list");
            return problems;
        }
        var groupNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var groupNode in groups)
        {
            if (groupNode is not YamlMappingNode group)
            {
                Add(groupNode, "a group is a mapping with \"name\" and \"rules\"");
                continue;
            }
            var name = Scalar(group, "name");
            if (string.IsNullOrWhiteSpace(name))
                Add(group, "group without \"name\"");
            else if (!groupNames.Add(name))
                Add(group, $"group name '{name}' is used twice in this file");
            if (Child(group, "rules") is not YamlSequenceNode rules)
            {
                Add(group, $"group '{name}' has no \"rules\" list");
                continue;
            }
            foreach (var ruleNode in rules)
            {
                if (ruleNode is YamlMappingNode rule)
                    CheckRule(rule, Add);
                else
                    Add(ruleNode, "a rule is a mapping");
            }
        }
        return problems;
    }

    private static void CheckRule(YamlMappingNode rule, Action<YamlNode, string> add)
    {
        foreach (var key in rule.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!RuleKeys.Contains(key.Value ?? ""))
                add(key, $"unknown rule field '{key.Value}' (Prometheus refuses the file)");
        }
        var alert = Scalar(rule, "alert");
        var record = Scalar(rule, "record");
        if ((alert is null) == (record is null))
        {
            add(rule, "a rule has exactly one of \"alert\" or \"record\"");
            return;
        }
        var name = alert ?? record!;
        if (string.IsNullOrWhiteSpace(Scalar(rule, "expr")))
            add(rule, $"{name}: missing \"expr\"");
        if (Child(rule, "for") is YamlScalarNode forNode && !DurationPattern().IsMatch(forNode.Value ?? ""))
            add(forNode, $"{name}: \"for\" '{forNode.Value}' is not a Prometheus duration (e.g. 5m)");
        if (alert is null)
            return;
        if (!AlertNamePattern().IsMatch(alert))
            add(rule, $"alert name '{alert}' must be a valid label value of letters, digits and '_'");
        var severity = Child(rule, "labels") is YamlMappingNode labels ? Scalar(labels, "severity") : null;
        if (severity is null || !Severities.Contains(severity))
            add(Child(rule, "labels") ?? rule, $"{alert}: label \"severity\" must be one of {string.Join(", ", Severities)}");
        var annotations = Child(rule, "annotations") as YamlMappingNode;
        foreach (var required in new[] { "summary", "description", "runbook_url" })
        {
            if (annotations is null || string.IsNullOrWhiteSpace(Scalar(annotations, required)))
                add(annotations ?? (YamlNode)rule, $"{alert}: missing annotation \"{required}\"");
        }
        if (annotations is not null && Scalar(annotations, "runbook_url") is { } runbook && !RunbookPattern().IsMatch(runbook))
            add(Child(annotations, "runbook_url")!, $"{alert}: runbook_url '{runbook}' must name a runbook file, runbooks/<name>.md (or an http(s) URL of one)");
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    [GeneratedRegex("^([0-9]+(ms|s|m|h|d|w|y))+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex AlertNamePattern();

    [GeneratedRegex(@"^(runbooks/[a-z0-9][a-z0-9-]*\.md|https?://\S+\.md(#\S*)?)$")]
    private static partial Regex RunbookPattern();
}

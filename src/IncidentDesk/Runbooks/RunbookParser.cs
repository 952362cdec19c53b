using System.Globalization;
using System.Text.RegularExpressions;
using IncidentDesk.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentDesk.Runbooks;

/// <summary>
/// Reads one runbook file: YAML front matter between <c>---</c> lines, then Markdown with a <c>## step-id</c>
/// section per step. Every problem carries the file line, so <c>check</c> can print <c>path:line: message</c>.
/// </summary>
public static partial class RunbookParser
{
    /// <summary>The owner roles a step may name: the API roles plus the escalation chain's team lead.</summary>
    public static readonly IReadOnlyList<string> OwnerRoles = ["shift-lead", "team-lead", "engineer", "manager"];

    public static (Runbook? Runbook, List<Problem> Problems) Parse(string path, string text, Func<string, bool> templateExists)
    {
        var problems = new List<Problem>();
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---")
            return (null, [new Problem(path, 1, "a runbook starts with YAML front matter between '---' lines")]);
        var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
        if (end < 0)
            return (null, [new Problem(path, 1, "front matter is not closed by a '---' line")]);

        // Front matter line n is file line n + 1 (the opening '---' is line 1).
        var yaml = string.Join('\n', lines[1..end]);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
                return (null, [new Problem(path, 2, "front matter must be a mapping with 'title' and 'steps'")]);
            root = mapping;
        }
        catch (YamlException e)
        {
            return (null, [new Problem(path, (int)e.Start.Line + 1, "YAML: " + e.Message)]);
        }

        int Line(YamlNode node) => (int)node.Start.Line + 1;
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is not ("title" or "match" or "steps")))
            problems.Add(new Problem(path, Line(key), $"unknown key '{key.Value}' (expected title, match, steps)"));

        var title = Scalar(root, "title") ?? name;
        RunbookMatch? match = null;
        if (root.Children.TryGetValue(new YamlScalarNode("match"), out var matchNode))
        {
            if (matchNode is YamlMappingNode m)
            {
                var labels = new Dictionary<string, string>();
                if (m.Children.TryGetValue(new YamlScalarNode("labels"), out var l) && l is YamlMappingNode lm)
                    foreach (var (k, v) in lm.Children)
                        labels[((YamlScalarNode)k).Value ?? ""] = (v as YamlScalarNode)?.Value ?? "";
                match = new RunbookMatch(Scalar(m, "source"), labels);
            }
            else
            {
                problems.Add(new Problem(path, Line(matchNode), "match must be a mapping with 'source' and/or 'labels'"));
            }
        }

        var steps = new List<RunbookStep>();
        if (!root.Children.TryGetValue(new YamlScalarNode("steps"), out var stepsNode) || stepsNode is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            problems.Add(new Problem(path, stepsNode is null ? 2 : Line(stepsNode), "steps must be a non-empty list"));
            return (null, problems);
        }

        foreach (var node in sequence.Children)
        {
            var line = Line(node);
            if (node is not YamlMappingNode step)
            {
                problems.Add(new Problem(path, line, "a step must be a mapping with id, kind, deadline and owner"));
                continue;
            }
            var id = Scalar(step, "id");
            var kind = Scalar(step, "kind");
            var owner = Scalar(step, "owner");
            var deadlineText = Scalar(step, "deadline");
            if (string.IsNullOrWhiteSpace(id) || !StepIdPattern().IsMatch(id))
                problems.Add(new Problem(path, line, "step id is missing or not lowercase-with-dashes"));
            else if (steps.Any(s => s.Id == id))
                problems.Add(new Problem(path, line, $"step id '{id}' is used twice"));
            if (kind is null || !StepKinds.All.Contains(kind))
            {
                problems.Add(new Problem(path, LineOf(step, "kind") ?? line, $"unknown step kind '{kind}' (expected {string.Join(", ", StepKinds.All)})"));
                kind = null;
            }
            TimeSpan deadline = default;
            if (deadlineText is null)
                problems.Add(new Problem(path, line, $"step '{id}' has no deadline"));
            else if (ParseDuration(deadlineText) is { } d)
                deadline = d;
            else
                problems.Add(new Problem(path, LineOf(step, "deadline") ?? line, $"deadline '{deadlineText}' is not a duration like 15m, 2h, 5d or 00:15:00"));
            if (owner is null || !OwnerRoles.Contains(owner))
                problems.Add(new Problem(path, LineOf(step, "owner") ?? line, $"owner '{owner}' is not one of {string.Join(", ", OwnerRoles)}"));

            var after = new List<string>();
            var settings = new Dictionary<string, string>();
            foreach (var (keyNode, valueNode) in step.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                if (key is "id" or "kind" or "owner" or "deadline")
                    continue;
                var value = valueNode switch
                {
                    YamlScalarNode s => s.Value ?? "",
                    YamlSequenceNode s => string.Join(",", s.Children.OfType<YamlScalarNode>().Select(c => c.Value)),
                    _ => null,
                };
                if (key == "after")
                    after.AddRange((value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                else if (kind is not null && !StepKinds.Settings[kind].Contains(key))
                    problems.Add(new Problem(path, Line(keyNode), $"'{key}' is not a setting of a {kind} step (expected {string.Join(", ", StepKinds.Settings[kind].Prepend("after"))})"));
                else if (value is null)
                    problems.Add(new Problem(path, Line(valueNode), $"'{key}' must be a value or a list"));
                else
                    settings[key] = value;
            }
            var runbookStep = new RunbookStep(id ?? "", kind ?? "", deadline, owner ?? "", after, settings, line);
            if (kind is not null)
                problems.AddRange(CheckSettings(path, runbookStep, templateExists));
            steps.Add(runbookStep);
        }

        // Automated steps run after the previous step unless they say otherwise; every name must exist earlier.
        for (var i = 0; i < steps.Count; i++)
        {
            foreach (var dependency in steps[i].After)
            {
                if (!steps.Take(i).Any(s => s.Id == dependency))
                    problems.Add(new Problem(path, steps[i].Line, $"step '{steps[i].Id}' runs after '{dependency}', which is not an earlier step"));
            }
        }

        var guidance = Sections(lines, end + 1);
        foreach (var step in steps.Where(s => s.Id.Length > 0 && !guidance.ContainsKey(s.Id)))
            problems.Add(new Problem(path, step.Line, $"step '{step.Id}' has no '## {step.Id}' section with guidance in the body"));

        return problems.Count > 0
            ? (null, problems)
            : (new Runbook(name, path, title, match, steps, guidance.ToDictionary(g => g.Key, g => g.Value.Text)), problems);
    }

    private static IEnumerable<Problem> CheckSettings(string path, RunbookStep step, Func<string, bool> templateExists)
    {
        switch (step.Kind)
        {
            case StepKinds.Communicate:
                if (step.Setting("template") is not { } template)
                    yield return new Problem(path, step.Line, $"communicate step '{step.Id}' needs a template");
                else
                {
                    foreach (var language in CustomerTemplates.Languages.Where(l => !templateExists($"{template}.{l}")))
                        yield return new Problem(path, step.Line, $"template '{template}' has no {language} version (runbooks/templates/{template}.{language}.txt)");
                }
                // The handbook requires the expected recovery time in every customer notice.
                if (step.Setting("eta") is not { } eta)
                    yield return new Problem(path, step.Line, $"communicate step '{step.Id}' needs an eta (the default expected recovery time, e.g. 2h)");
                else if (ParseDuration(eta) is null)
                    yield return new Problem(path, step.Line, $"eta '{eta}' is not a duration like 30m or 2h");
                foreach (var channel in (step.Setting("channels") ?? "email").Split(',', StringSplitOptions.TrimEntries).Where(c => c is not ("email" or "comment")))
                    yield return new Problem(path, step.Line, $"unknown channel '{channel}' (expected email, comment)");
                break;
            case StepKinds.Escalate:
                if (step.Setting("project") is null)
                    yield return new Problem(path, step.Line, $"escalate step '{step.Id}' needs the Jira project key");
                break;
            case StepKinds.Rollback:
                if (step.Setting("to") is { } to && to is not ("off" or "on"))
                    yield return new Problem(path, step.Line, $"rollback 'to' must be off or on (got '{to}')");
                break;
        }
    }

    /// <summary>Durations as people write them in runbooks: <c>90s</c>, <c>15m</c>, <c>2h</c>, <c>5d</c>, <c>1h30m</c>, or <c>00:15:00</c>.</summary>
    public static TimeSpan? ParseDuration(string text) =>
        Durations.TryParse(text.Trim(), out var value) ? value
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;

    /// <summary>The <c>## heading</c> sections of the body, keyed by heading; fenced code is not scanned for headings.</summary>
    private static Dictionary<string, (int Line, string Text)> Sections(string[] lines, int from)
    {
        var sections = new Dictionary<string, (int, string)>();
        string? current = null;
        var start = 0;
        var body = new List<string>();
        var fenced = false;
        void Flush()
        {
            if (current is not null)
                sections[current] = (start, string.Join('\n', body).Trim());
        }
        for (var i = from; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                fenced = !fenced;
            if (!fenced && lines[i].StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                current = lines[i][3..].Trim();
                start = i + 1;
                body.Clear();
            }
            else if (current is not null)
            {
                body.Add(lines[i]);
            }
        }
        Flush();
        return sections;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;

    private static int? LineOf(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (int)value.Start.Line + 1 : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex StepIdPattern();

}

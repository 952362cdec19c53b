using System.Globalization;
using System.Text.RegularExpressions;
using IncidentDesk.Configuration;
using IncidentDesk.Incidents;
using IncidentDesk.Ticketing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentDesk.Sla;

/// <summary>
/// Reads <c>alerts/sla-rules.yaml</c>. The file is applied whole or not at all: any problem means no rule
/// set is returned, only the list of problems as <c>path:line: message</c>.
/// </summary>
public static partial class SlaRulesFile
{
    public const string FileName = "sla-rules.yaml";

    /// <summary>Either a rule set (no problems) or the problems (no rule set).</summary>
    public sealed record LoadResult(SlaRuleSet? RuleSet, IReadOnlyList<Problem> Problems);

    private static readonly string[] RuleKeys =
    [
        "name", "description", "kind", "scope", "per_channel", "window", "within", "target", "basis", "calendar",
        "min_samples", "severity", "recover_after", "exclude_paused", "tolerance", "max_abandon_rate", "critical",
    ];

    // Keys that only some kinds read: naming them on another kind is a mistake worth reporting.
    private static readonly Dictionary<string, SlaRuleKind[]> KindOnlyKeys = new()
    {
        ["within"] = [SlaRuleKind.ResponseWithin, SlaRuleKind.FirstResponseTime, SlaRuleKind.PhoneServiceLevel],
        ["basis"] = [SlaRuleKind.ResponseWithin, SlaRuleKind.FirstResponseTime],
        ["exclude_paused"] = [SlaRuleKind.ResponseWithin, SlaRuleKind.FirstResponseTime],
        ["tolerance"] = [SlaRuleKind.Csat],
        ["max_abandon_rate"] = [SlaRuleKind.PhoneServiceLevel],
        ["critical"] = [SlaRuleKind.OutOfHoursShare],
        ["calendar"] = [SlaRuleKind.ResponseWithin, SlaRuleKind.FirstResponseTime, SlaRuleKind.OutOfHoursShare],
    };

    private static readonly Dictionary<string, DayOfWeek> Days = new()
    {
        ["mon"] = DayOfWeek.Monday,
        ["tue"] = DayOfWeek.Tuesday,
        ["wed"] = DayOfWeek.Wednesday,
        ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday,
        ["sat"] = DayOfWeek.Saturday,
        ["sun"] = DayOfWeek.Sunday,
    };

    private static readonly string[] PriorityNames = [Priorities.Low, Priorities.Medium, Priorities.High, Priorities.Critical];

    /// <summary>Reads and validates the file; a missing file is one problem.</summary>
    public static LoadResult Load(string path)
    {
        if (!File.Exists(path))
            return new LoadResult(null, [new Problem(path, 0, "file not found")]);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Validates <paramref name="text"/>; <paramref name="path"/> only names it in problems.</summary>
    public static LoadResult Parse(string text, string path)
    {
        var problems = new List<Problem>();
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return new LoadResult(null, [new Problem(path, (int)e.Start.Line, "invalid YAML: " + e.Message)]);
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            return new LoadResult(null, [new Problem(path, 1, "expected a mapping with 'calendars' and 'rules'")]);

        void Report(YamlNode node, string message) => problems.Add(new Problem(path, (int)node.Start.Line, message));

        foreach (var key in root.Children.Keys)
        {
            if (key is YamlScalarNode { Value: not ("calendars" or "rules") } unknown)
                Report(key, $"unknown key '{unknown.Value}' (expected 'calendars' and 'rules')");
        }

        var calendars = new Dictionary<string, BusinessCalendar>(StringComparer.Ordinal);
        if (Child(root, "calendars") is { } calendarsNode)
        {
            if (calendarsNode is not YamlMappingNode calendarMap)
                Report(calendarsNode, "'calendars' must map calendar names to definitions");
            else
            {
                foreach (var (nameNode, definition) in calendarMap.Children)
                {
                    var name = ((YamlScalarNode)nameNode).Value ?? "";
                    if (ParseCalendar(name, definition, Report) is { } calendar)
                        calendars[name] = calendar;
                    else
                        calendars.TryAdd(name, null!); // known name, broken definition: reported once, not again per rule
                }
            }
        }

        var rules = new List<SlaRule>();
        if (Child(root, "rules") is not YamlSequenceNode rulesNode)
            Report(Child(root, "rules") ?? root, "'rules' must be a list of rules");
        else
        {
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var ruleNode in rulesNode.Children)
            {
                if (ParseRule(ruleNode, calendars, Report) is not { } rule)
                    continue;
                if (names.TryGetValue(rule.Name, out var firstLine))
                {
                    Report(ruleNode, $"rule '{rule.Name}' is defined twice (first on line {firstLine})");
                    continue;
                }
                names[rule.Name] = rule.Line;
                foreach (var other in rules.Where(r => r.Kind == rule.Kind && r.Scope.Overlaps(rule.Scope)))
                    Report(ruleNode, $"rule '{rule.Name}': scope ({rule.Scope.Describe()}) overlaps rule '{other.Name}' (line {other.Line}) of the same kind {SlaRuleKinds.Name(rule.Kind)}; a contact would be judged by both");
                rules.Add(rule);
            }
        }

        return problems.Count > 0
            ? new LoadResult(null, problems)
            : new LoadResult(new SlaRuleSet(rules, calendars), []);
    }

    private static BusinessCalendar? ParseCalendar(string name, YamlNode node, Action<YamlNode, string> report)
    {
        if (node is not YamlMappingNode map)
        {
            report(node, $"calendar '{name}': expected time_zone, hours and holidays");
            return null;
        }
        var ok = true;
        foreach (var key in map.Children.Keys)
        {
            if (key is YamlScalarNode { Value: not ("time_zone" or "hours" or "holidays") } unknown)
            {
                report(key, $"calendar '{name}': unknown key '{unknown.Value}'");
                ok = false;
            }
        }

        TimeZoneInfo? zone = null;
        if (Scalar(map, "time_zone") is not { } zoneNode)
        {
            report(map, $"calendar '{name}': time_zone is required (an IANA name such as Europe/Berlin)");
            ok = false;
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneNode.Value ?? "", out zone) || !(zoneNode.Value ?? "").Contains('/', StringComparison.Ordinal) && zoneNode.Value != "UTC")
        {
            report(zoneNode, $"calendar '{name}': unknown time zone '{zoneNode.Value}' (use an IANA name such as Europe/Berlin)");
            ok = false;
        }

        var hours = Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => new List<(TimeSpan, TimeSpan)>());
        if (Child(map, "hours") is not YamlMappingNode hoursMap)
        {
            report(Child(map, "hours") ?? map, $"calendar '{name}': hours must map days (mon, mon-fri, ...) to times such as 09:00-18:00");
            ok = false;
        }
        else
        {
            foreach (var (dayNode, timesNode) in hoursMap.Children)
            {
                var dayText = ((YamlScalarNode)dayNode).Value ?? "";
                if (ParseDays(dayText) is not { } days)
                {
                    report(dayNode, $"calendar '{name}': unknown day '{dayText}' (mon..sun or a range such as mon-fri)");
                    ok = false;
                    continue;
                }
                var texts = timesNode switch
                {
                    YamlScalarNode s => [s],
                    YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().ToList(),
                    _ => new List<YamlScalarNode>(),
                };
                foreach (var t in texts)
                {
                    var match = TimeRange().Match(t.Value ?? "");
                    if (!match.Success || !TryTime(match.Groups[1].Value, out var start) || !TryTime(match.Groups[2].Value, out var end) || end <= start)
                    {
                        report(t, $"calendar '{name}': bad hours '{t.Value}' (expected HH:MM-HH:MM, end after start, at most 24:00)");
                        ok = false;
                        continue;
                    }
                    foreach (var day in days)
                    {
                        if (hours[day].Any(h => h.Item1 < end && start < h.Item2))
                        {
                            report(t, $"calendar '{name}': hours '{t.Value}' overlap other hours on {day}");
                            ok = false;
                        }
                        hours[day].Add((start, end));
                    }
                }
            }
        }

        var holidays = new List<DateOnly>();
        if (Child(map, "holidays") is { } holidaysNode)
        {
            if (holidaysNode is not YamlSequenceNode seq)
            {
                report(holidaysNode, $"calendar '{name}': holidays must be a list of dates (YYYY-MM-DD)");
                ok = false;
            }
            else
            {
                foreach (var h in seq.Children)
                {
                    if (h is YamlScalarNode { Value: { } v } && DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                        holidays.Add(date);
                    else
                    {
                        report(h, $"calendar '{name}': bad holiday '{(h as YamlScalarNode)?.Value}' (expected YYYY-MM-DD)");
                        ok = false;
                    }
                }
            }
        }

        if (!ok || zone is null)
            return null;
        return new BusinessCalendar(name, zone,
            hours.ToDictionary(h => h.Key, h => (IReadOnlyList<(TimeSpan, TimeSpan)>)h.Value.OrderBy(x => x.Item1).ToList()), holidays);
    }

    private static SlaRule? ParseRule(YamlNode node, IReadOnlyDictionary<string, BusinessCalendar> calendars, Action<YamlNode, string> report)
    {
        if (node is not YamlMappingNode map)
        {
            report(node, "a rule must be a mapping (name, kind, window, target, ...)");
            return null;
        }
        var failed = false;
        void Fail(YamlNode at, string message)
        {
            failed = true;
            report(at, message);
        }

        var name = Scalar(map, "name")?.Value;
        var label = name is null ? "rule" : $"rule '{name}'";
        if (string.IsNullOrWhiteSpace(name))
            Fail(map, "rule without a name");
        else if (!RuleName().IsMatch(name))
            Fail(Scalar(map, "name")!, $"{label}: name must be lowercase letters, digits, '-' or '_'");

        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!RuleKeys.Contains(key.Value))
                Fail(key, $"{label}: unknown key '{key.Value}'");
        }

        var kindNode = Scalar(map, "kind");
        SlaRuleKind kind = default;
        if (kindNode is null)
            Fail(map, $"{label}: kind is required ({string.Join(", ", SlaRuleKinds.Names)})");
        else if (!SlaRuleKinds.TryParse(kindNode.Value ?? "", out kind))
        {
            Fail(kindNode, $"{label}: unknown kind '{kindNode.Value}' (expected one of {string.Join(", ", SlaRuleKinds.Names)})");
            return null;
        }
        if (kindNode is null)
            return null;

        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is { } k && KindOnlyKeys.TryGetValue(k, out var kinds) && !kinds.Contains(kind))
                Fail(key, $"{label}: '{k}' does not apply to kind {SlaRuleKinds.Name(kind)}");
        }

        var window = Duration(map, "window", label, required: true, Fail) ?? TimeSpan.FromHours(1);
        if (window > TimeSpan.FromDays(90))
            Fail(Child(map, "window")!, $"{label}: window must be at most 90d");
        var within = Duration(map, "within", label, required: kind is SlaRuleKind.ResponseWithin or SlaRuleKind.FirstResponseTime or SlaRuleKind.PhoneServiceLevel, Fail);
        var recoverAfter = Duration(map, "recover_after", label, required: false, Fail) ?? TimeSpan.FromMinutes(30);
        var target = Ratio(map, "target", label, required: true, Fail) ?? 0;
        var tolerance = Ratio(map, "tolerance", label, required: false, Fail) ?? 0.02;
        var maxAbandon = Ratio(map, "max_abandon_rate", label, required: false, Fail);

        var basis = TimeBasis.Calendar;
        if (Scalar(map, "basis") is { } basisNode)
        {
            if (basisNode.Value == "business")
                basis = TimeBasis.Business;
            else if (basisNode.Value != "calendar")
                Fail(basisNode, $"{label}: basis must be 'business' or 'calendar', not '{basisNode.Value}'");
        }

        var calendar = Scalar(map, "calendar")?.Value;
        var needsCalendar = kind == SlaRuleKind.OutOfHoursShare || basis == TimeBasis.Business;
        if (calendar is not null && !calendars.ContainsKey(calendar))
            Fail(Scalar(map, "calendar")!, $"{label}: unknown calendar '{calendar}' (defined: {(calendars.Count == 0 ? "none" : string.Join(", ", calendars.Keys))})");
        else if (calendar is null && needsCalendar)
            Fail(map, $"{label}: calendar is required for {(kind == SlaRuleKind.OutOfHoursShare ? "out_of_hours_share" : "basis: business")}");
        else if (calendar is not null && !needsCalendar)
            Fail(Scalar(map, "calendar")!, $"{label}: calendar is only read with basis: business");

        var minSamples = 10;
        if (Scalar(map, "min_samples") is { } minNode && (!int.TryParse(minNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out minSamples) || minSamples < 1))
            Fail(minNode, $"{label}: min_samples must be a whole number of at least 1, not '{minNode.Value}'");

        var severity = Scalar(map, "severity")?.Value ?? "high";
        if (!Severities.All.Contains(severity))
            Fail(Scalar(map, "severity")!, $"{label}: severity must be one of {string.Join(", ", Severities.All)}, not '{severity}'");

        var perChannel = Bool(map, "per_channel", label, true, Fail);
        var excludePaused = Bool(map, "exclude_paused", label, true, Fail);
        var scope = ParseScope(Child(map, "scope"), label, "scope", Fail);
        var critical = ParseScope(Child(map, "critical"), label, "critical", Fail);
        if (critical.Channels.Count > 0 || critical.Sources.Count > 0)
            Fail(Child(map, "critical")!, $"{label}: critical names priorities and queues only");
        if (critical.Priorities.Count == 0 && critical.Queues.Count == 0)
            critical = new SlaScope([], [Priorities.Critical], [], []);

        if (kind == SlaRuleKind.PhoneServiceLevel && scope.Channels.Any(c => c != Channels.Phone))
            Fail(Child(map, "scope")!, $"{label}: phone_service_level reads calls; its channels can only be phone");
        if (failed)
            return null;

        return new SlaRule
        {
            Name = name!,
            Kind = kind,
            Scope = scope,
            PerChannel = perChannel,
            Window = window,
            Target = target,
            Within = within,
            Basis = basis,
            Calendar = calendar,
            MinSamples = minSamples,
            Severity = severity,
            RecoverAfter = recoverAfter,
            ExcludePaused = excludePaused,
            Tolerance = tolerance,
            MaxAbandonRate = maxAbandon,
            CriticalScope = critical,
            Line = (int)map.Start.Line,
        };
    }

    private static SlaScope ParseScope(YamlNode? node, string label, string what, Action<YamlNode, string> fail)
    {
        if (node is null)
            return SlaScope.All;
        if (node is not YamlMappingNode map)
        {
            fail(node, $"{label}: {what} must map channels/priorities/sources/queues to lists");
            return SlaScope.All;
        }
        var lists = new Dictionary<string, List<string>> { ["channels"] = [], ["priorities"] = [], ["sources"] = [], ["queues"] = [] };
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!lists.TryGetValue(key, out var list))
            {
                fail(keyNode, $"{label}: unknown {what} key '{key}' (channels, priorities, sources, queues)");
                continue;
            }
            var values = valueNode switch
            {
                YamlScalarNode s => [s],
                YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().ToList(),
                _ => [],
            };
            foreach (var v in values)
            {
                var value = v.Value ?? "";
                if (key == "channels" && !Channels.IsValid(value))
                    fail(v, $"{label}: unknown channel '{value}' ({string.Join(", ", Channels.Plain.Order())} or messenger:<name>)");
                else if (key == "priorities" && !PriorityNames.Contains(value))
                    fail(v, $"{label}: unknown priority '{value}' ({string.Join(", ", PriorityNames)})");
                else
                    list.Add(value);
            }
        }
        return new SlaScope(lists["channels"].Distinct().ToList(), lists["priorities"].Distinct().ToList(), lists["sources"].Distinct().ToList(), lists["queues"].Distinct().ToList());
    }

    private static TimeSpan? Duration(YamlMappingNode map, string key, string label, bool required, Action<YamlNode, string> fail)
    {
        if (Scalar(map, key) is not { } node)
        {
            if (required)
                fail(map, $"{label}: {key} is required (a duration such as 30s, 15m, 4h, 7d)");
            return null;
        }
        if (Durations.TryParse(node.Value, out var value))
            return value;
        fail(node, $"{label}: bad duration '{node.Value}' for {key} (expected e.g. 30s, 15m, 4h, 1h30m, 7d)");
        return null;
    }

    private static double? Ratio(YamlMappingNode map, string key, string label, bool required, Action<YamlNode, string> fail)
    {
        if (Scalar(map, key) is not { } node)
        {
            if (required)
                fail(map, $"{label}: {key} is required (a share between 0 and 1, e.g. 0.8)");
            return null;
        }
        var text = node.Value ?? "";
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            fail(node, $"{label}: {key} must be a number between 0 and 1 (or a percentage such as 80%), not '{text}'");
            return null;
        }
        if (percent)
            value /= 100;
        if (value is < 0 or > 1 || double.IsNaN(value))
        {
            fail(node, $"{label}: {key} {text} is outside 0–1");
            return null;
        }
        return value;
    }

    private static bool Bool(YamlMappingNode map, string key, string label, bool fallback, Action<YamlNode, string> fail)
    {
        if (Scalar(map, key) is not { } node)
            return fallback;
        if (bool.TryParse(node.Value, out var value))
            return value;
        fail(node, $"{label}: {key} must be true or false, not '{node.Value}'");
        return fallback;
    }

    private static HashSet<DayOfWeek>? ParseDays(string text)
    {
        var parts = text.Split('-');
        if (parts.Length == 1)
            return Days.TryGetValue(parts[0], out var d) ? [d] : null;
        if (parts.Length != 2 || !Days.TryGetValue(parts[0], out var from) || !Days.TryGetValue(parts[1], out var to))
            return null;
        var order = Days.Values.ToList(); // mon..sun
        int a = order.IndexOf(from), b = order.IndexOf(to);
        return b < a ? null : order.Skip(a).Take(b - a + 1).ToHashSet();
    }

    private static bool TryTime(string text, out TimeSpan value)
    {
        value = default;
        var parts = text.Split(':');
        if (!int.TryParse(parts[0], CultureInfo.InvariantCulture, out var h) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var m) || m > 59 || h > 24 || (h == 24 && m > 0))
            return false;
        value = new TimeSpan(h, m, 0);
        return true;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlScalarNode? Scalar(YamlMappingNode map, string key) => Child(map, key) as YamlScalarNode;

    [GeneratedRegex(@"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")]
    private static partial Regex TimeRange();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex RuleName();
}

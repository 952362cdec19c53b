using System.Globalization;
using System.Text.RegularExpressions;
using IncidentDesk.Configuration;
using NodaTime;
using NodaTime.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IncidentDesk.OnCall;

/// <summary>
/// Reads <c>oncall.yaml</c> through YamlDotNet's node model, so that every problem carries the line it is on.
/// The file is applied whole or not at all: any problem means no schedule.
/// </summary>
public static partial class OnCallFile
{
    public const string FileName = "oncall.yaml";

    private static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
    private static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;
    private static readonly LocalDateTimePattern DateTimePattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    /// <summary>Parses the file at <paramref name="path"/>; returns the schedule or the problems (never both).</summary>
    public static (OnCallSchedule? Schedule, IReadOnlyList<Problem> Problems) Load(string path)
    {
        if (!File.Exists(path))
            return (null, [new Problem(path, 0, "file not found")]);
        return Parse(File.ReadAllText(path), path);
    }

    public static (OnCallSchedule? Schedule, IReadOnlyList<Problem> Problems) Parse(string yaml, string path)
    {
        var reader = new Reader(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return (null, [new Problem(path, (int)e.Start.Line, "not valid YAML: " + e.Message)]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return (null, [new Problem(path, 1, "must be a mapping with timeZone, people, shifts, rotation and escalation")]);
        var schedule = reader.Read(root);
        return reader.Problems.Count == 0 ? (schedule, []) : (null, reader.Problems);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex IdPattern();

    private sealed class Reader(string path)
    {
        private static readonly string[] Channels = ["slack", "email"];

        public List<Problem> Problems { get; } = [];

        private void Add(YamlNode node, string message) => Problems.Add(new Problem(path, (int)node.Start.Line, message));

        public OnCallSchedule? Read(YamlMappingNode root)
        {
            Unknown(root, "timeZone", "people", "shifts", "rotation", "overrides", "escalation");
            DateTimeZone? zone = null;
            if (Scalar(root, "timeZone", required: true) is { } tzNode)
            {
                zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(tzNode.Value!);
                if (zone is null)
                    Add(tzNode, $"timeZone: unknown IANA time zone '{tzNode.Value}' (e.g. Europe/Berlin)");
            }

            var people = new Dictionary<string, (Person Person, YamlNode Node)>(StringComparer.Ordinal);
            foreach (var item in Sequence(root, "people", required: true))
            {
                if (ReadPerson(item) is { } person)
                {
                    if (!people.TryAdd(person.Id, (person, item)))
                        Add(item, $"people: '{person.Id}' is listed twice");
                }
            }
            foreach (var group in people.Values.Where(p => p.Person.Slack is not null).GroupBy(p => p.Person.Slack).Where(g => g.Count() > 1))
                Add(group.Last().Node, $"people: Slack id '{group.Key}' belongs to more than one person");

            var shifts = new List<Shift>();
            foreach (var item in Sequence(root, "shifts", required: true))
            {
                if (item is not YamlMappingNode map)
                {
                    Add(item, "shifts: each shift is a mapping {name, start, end}");
                    continue;
                }
                Unknown(map, "name", "start", "end");
                var name = Scalar(map, "name", required: true)?.Value;
                var start = Time(map, "start");
                var end = Time(map, "end");
                if (name is null || start is null || end is null)
                    continue;
                if (start == end)
                    Add(map, $"shifts: '{name}' starts and ends at the same time");
                if (shifts.Any(s => s.Name == name))
                    Add(map, $"shifts: '{name}' is listed twice");
                shifts.Add(new Shift(name, start.Value, end.Value));
            }
            CheckCoverage(root, shifts);

            var rotation = ReadRotation(root, shifts.Count, people);
            var overrides = new List<Override>();
            if (root.Children.ContainsKey("overrides"))
            {
                foreach (var item in Sequence(root, "overrides", required: false))
                {
                    if (ReadOverride(item, people) is { } o)
                        overrides.Add(o);
                }
            }
            var escalation = ReadEscalation(root, people);

            if (zone is null || rotation is null || Problems.Count > 0)
                return null;
            return new OnCallSchedule(zone, people.ToDictionary(p => p.Key, p => p.Value.Person), shifts, rotation, overrides, escalation);
        }

        private Person? ReadPerson(YamlNode item)
        {
            if (item is not YamlMappingNode map)
            {
                Add(item, "people: each person is a mapping {id, name, slack, email}");
                return null;
            }
            Unknown(map, "id", "name", "slack", "email", "notify");
            var idNode = Scalar(map, "id", required: true);
            if (idNode is null)
                return null;
            var id = idNode.Value!;
            if (!IdPattern().IsMatch(id))
                Add(idNode, $"people: id '{id}' must be lowercase letters, digits, '.', '_' or '-'");
            if (id == OnCallSchedule.ShiftLeadTarget)
                Add(idNode, $"people: '{OnCallSchedule.ShiftLeadTarget}' is reserved for the escalation chain");
            var slack = Scalar(map, "slack", required: false);
            var email = Scalar(map, "email", required: false);
            if (slack is not null && !Regex.IsMatch(slack.Value!, "^[UW][A-Z0-9]{2,}$"))
                Add(slack, $"people: '{id}': slack must be a Slack member id such as U012AB3CD (got '{slack.Value}')");
            if (email is not null && !Regex.IsMatch(email.Value!, @"^[^@\s]+@[^@\s]+\.[^@\s]+$"))
                Add(email, $"people: '{id}': email '{email.Value}' is not an e-mail address");
            if (slack is null && email is null)
                Add(map, $"people: '{id}' needs slack or email to be paged");
            List<string> notify;
            if (map.Children.ContainsKey("notify"))
            {
                notify = [];
                foreach (var channel in Sequence(map, "notify", required: false))
                {
                    var value = (channel as YamlScalarNode)?.Value;
                    if (value is null || !Channels.Contains(value))
                        Add(channel, $"people: '{id}': notify lists channels, one of {string.Join(", ", Channels)}");
                    else if (value == "slack" && slack is null || value == "email" && email is null)
                        Add(channel, $"people: '{id}': notify names {value} but the person has no {value} address");
                    else
                        notify.Add(value);
                }
            }
            else
            {
                notify = [.. slack is null ? Array.Empty<string>() : ["slack"], .. email is null ? Array.Empty<string>() : ["email"]];
            }
            return new Person(id, Scalar(map, "name", required: false)?.Value ?? id, slack?.Value, email?.Value, notify);
        }

        private Rotation? ReadRotation(YamlMappingNode root, int shiftCount, Dictionary<string, (Person Person, YamlNode Node)> people)
        {
            if (!root.Children.TryGetValue("rotation", out var node))
            {
                Add(root, "rotation: is required");
                return null;
            }
            if (node is not YamlMappingNode map)
            {
                Add(node, "rotation: must be a mapping {every, startsOn, crews}");
                return null;
            }
            Unknown(map, "every", "startsOn", "crews");
            RotationPeriod? every = null;
            if (Scalar(map, "every", required: true) is { } everyNode)
            {
                every = everyNode.Value switch { "daily" => RotationPeriod.Daily, "weekly" => RotationPeriod.Weekly, _ => null };
                if (every is null)
                    Add(everyNode, $"rotation.every: must be daily or weekly (got '{everyNode.Value}')");
            }
            LocalDate? startsOn = null;
            if (Scalar(map, "startsOn", required: true) is { } dateNode)
            {
                var parsed = DatePattern.Parse(dateNode.Value!);
                if (parsed.Success)
                    startsOn = parsed.Value;
                else
                    Add(dateNode, $"rotation.startsOn: '{dateNode.Value}' is not a date (YYYY-MM-DD)");
            }
            var crews = new List<Crew>();
            foreach (var item in Sequence(map, "crews", required: true))
            {
                if (item is not YamlMappingNode crewMap)
                {
                    Add(item, "rotation.crews: each crew is a mapping {lead, agents}");
                    continue;
                }
                Unknown(crewMap, "lead", "agents");
                var lead = Scalar(crewMap, "lead", required: true);
                if (lead is not null)
                    KnownPerson(lead, "rotation.crews.lead", people);
                var agents = new List<string>();
                foreach (var agent in Sequence(crewMap, "agents", required: true, allowEmpty: true))
                {
                    if (agent is YamlScalarNode s && KnownPerson(s, "rotation.crews.agents", people))
                        agents.Add(s.Value!);
                    else if (agent is not YamlScalarNode)
                        Add(agent, "rotation.crews.agents: list person ids");
                }
                if (lead is not null)
                    crews.Add(new Crew(lead.Value!, agents));
            }
            if (shiftCount > 0 && crews.Count > 0 && crews.Count < shiftCount)
                Add(map, $"rotation.crews: {shiftCount} shifts need at least {shiftCount} crews (got {crews.Count})");
            return every is null || startsOn is null ? null : new Rotation(every.Value, startsOn.Value, crews);
        }

        private Override? ReadOverride(YamlNode item, Dictionary<string, (Person Person, YamlNode Node)> people)
        {
            if (item is not YamlMappingNode map)
            {
                Add(item, "overrides: each override is a mapping {replace, with, from, to}");
                return null;
            }
            Unknown(map, "replace", "with", "from", "to", "reason");
            var replace = Scalar(map, "replace", required: true);
            var with = Scalar(map, "with", required: true);
            var ok = replace is not null && KnownPerson(replace, "overrides.replace", people);
            ok &= with is not null && KnownPerson(with, "overrides.with", people);
            var from = DateTime(map, "from");
            var to = DateTime(map, "to");
            if (from is not null && to is not null && to <= from)
                Add(map, "overrides: 'to' must be after 'from'");
            return ok && from is not null && to is not null
                ? new Override(replace!.Value!, with!.Value!, from.Value, to.Value, Scalar(map, "reason", required: false)?.Value)
                : null;
        }

        private List<EscalationLevel> ReadEscalation(YamlMappingNode root, Dictionary<string, (Person Person, YamlNode Node)> people)
        {
            var levels = new List<EscalationLevel>();
            foreach (var item in Sequence(root, "escalation", required: true))
            {
                if (item is not YamlMappingNode map)
                {
                    Add(item, "escalation: each level is a mapping {level, notify}");
                    continue;
                }
                Unknown(map, "level", "notify", "timeout");
                var levelNode = Scalar(map, "level", required: true);
                if (levelNode is null)
                    continue;
                if (!int.TryParse(levelNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level != levels.Count + 1)
                {
                    Add(levelNode, $"escalation: levels are numbered 1, 2, 3, … in order (expected {levels.Count + 1}, got '{levelNode.Value}')");
                    continue;
                }
                var notify = new List<string>();
                foreach (var target in Sequence(map, "notify", required: true))
                {
                    if (target is YamlScalarNode { Value: OnCallSchedule.ShiftLeadTarget })
                        notify.Add(OnCallSchedule.ShiftLeadTarget);
                    else if (target is YamlScalarNode s && KnownPerson(s, "escalation.notify", people))
                        notify.Add(s.Value!);
                    else if (target is not YamlScalarNode)
                        Add(target, "escalation.notify: list person ids or shift-lead");
                }
                if (notify.Count == 0 && map.Children.ContainsKey("notify"))
                    Add(map, $"escalation: level {level} notifies nobody");
                TimeSpan? timeout = null;
                if (Scalar(map, "timeout", required: false) is { } timeoutNode)
                {
                    if (Durations.TryParse(timeoutNode.Value, out var parsed))
                        timeout = parsed;
                    else
                        Add(timeoutNode, $"escalation: level {level} timeout '{timeoutNode.Value}' is not a duration such as 5m, 15m, 1h");
                }
                levels.Add(new EscalationLevel(level, notify, timeout));
            }
            return levels;
        }

        /// <summary>Every minute of the day must belong to exactly one shift, or a page would find nobody.</summary>
        private void CheckCoverage(YamlMappingNode root, List<Shift> shifts)
        {
            if (shifts.Count == 0 || Problems.Count > 0)
                return;
            var owner = new string?[24 * 60];
            foreach (var shift in shifts)
            {
                var start = shift.Start.Hour * 60 + shift.Start.Minute;
                var end = shift.End.Hour * 60 + shift.End.Minute;
                var length = ((end - start) % 1440 + 1440) % 1440;
                for (var i = 0; i < length; i++)
                {
                    var minute = (start + i) % 1440;
                    if (owner[minute] is { } other)
                    {
                        Add(root["shifts"], $"shifts: '{shift.Name}' overlaps '{other}' at {minute / 60:00}:{minute % 60:00}");
                        return;
                    }
                    owner[minute] = shift.Name;
                }
            }
            var gap = Array.IndexOf(owner, null);
            if (gap >= 0)
                Add(root["shifts"], $"shifts: nobody is on duty at {gap / 60:00}:{gap % 60:00}; the shifts must cover the whole day");
        }

        private bool KnownPerson(YamlScalarNode node, string where, Dictionary<string, (Person Person, YamlNode Node)> people)
        {
            if (people.ContainsKey(node.Value!))
                return true;
            Add(node, $"{where}: unknown person '{node.Value}' (not in people)");
            return false;
        }

        private LocalTime? Time(YamlMappingNode map, string key)
        {
            var node = Scalar(map, key, required: true);
            if (node is null)
                return null;
            // "24:00" is the handbook's way of writing the midnight that ends the late shift.
            if (node.Value == "24:00")
                return LocalTime.Midnight;
            var parsed = TimePattern.Parse(node.Value!);
            if (parsed.Success)
                return parsed.Value;
            Add(node, $"shifts.{key}: '{node.Value}' is not a time (HH:mm)");
            return null;
        }

        private LocalDateTime? DateTime(YamlMappingNode map, string key)
        {
            var node = Scalar(map, key, required: true);
            if (node is null)
                return null;
            var parsed = DateTimePattern.Parse(node.Value!);
            if (parsed.Success)
                return parsed.Value;
            Add(node, $"overrides.{key}: '{node.Value}' is not a local date and time (YYYY-MM-DDTHH:mm)");
            return null;
        }

        private YamlScalarNode? Scalar(YamlMappingNode map, string key, bool required)
        {
            if (!map.Children.TryGetValue(key, out var node))
            {
                if (required)
                    Add(map, $"{key}: is required");
                return null;
            }
            if (node is YamlScalarNode { Value: { Length: > 0 } } scalar)
                return scalar;
            Add(node, $"{key}: must be a non-empty value");
            return null;
        }

        private IEnumerable<YamlNode> Sequence(YamlMappingNode map, string key, bool required, bool allowEmpty = false)
        {
            if (!map.Children.TryGetValue(key, out var node))
            {
                if (required)
                    Add(map, $"{key}: is required");
                return [];
            }
            if (node is YamlSequenceNode sequence && (allowEmpty || sequence.Children.Count > 0))
                return sequence.Children;
            Add(node, $"{key}: must be a non-empty list");
            return [];
        }

        private void Unknown(YamlMappingNode map, params string[] known)
        {
            foreach (var key in map.Children.Keys)
            {
                if (key is YamlScalarNode s && !known.Contains(s.Value))
                    Add(key, $"unknown key '{s.Value}' (expected one of {string.Join(", ", known)})");
            }
        }
    }
}

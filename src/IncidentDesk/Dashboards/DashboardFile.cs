using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentDesk.Configuration;

namespace IncidentDesk.Dashboards;

/// <summary>One Grafana dashboard from <c>dashboards/*.json</c>, parsed, with the problems found in it.</summary>
public sealed record DashboardFile(string Path, JsonObject? Dashboard, IReadOnlyList<Problem> Problems)
{
    public string? Uid => Dashboard?["uid"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string? Title => Dashboard?["title"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The dashboards of a folder, sorted by name, each checked on its own (uids across files: <see cref="DashboardFileCheck"/>).</summary>
    public static IReadOnlyList<DashboardFile> LoadAll(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(Load).ToList()
            : [];

    public static DashboardFile Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        JsonLineMap lines;
        JsonNode? node;
        try
        {
            lines = JsonLineMap.Build(bytes);
            node = JsonNode.Parse(bytes);
        }
        catch (JsonException e)
        {
            return new DashboardFile(path, null, [new Problem(path, (int)(e.LineNumber ?? 0) + 1, "invalid JSON: " + FirstSentence(e.Message))]);
        }
        if (node is not JsonObject dashboard)
            return new DashboardFile(path, null, [new Problem(path, 1, "a dashboard must be a JSON object")]);
        var problems = new List<Problem>();
        new Validator(path, dashboard, lines, problems).Run();
        return new DashboardFile(path, dashboard, problems);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }

    /// <summary>The rules Grafana's schema type does not express but the boards rely on.</summary>
    private sealed class Validator(string path, JsonObject dashboard, JsonLineMap lines, List<Problem> problems)
    {
        public void Run()
        {
            var uid = Text(dashboard, "uid");
            if (uid is null)
                Add("", "missing \"uid\": a stable uid keeps links and pushes pointing at the same board");
            else if (!GrafanaOptions.UidPattern().IsMatch(uid))
                Add("/uid", $"uid '{uid}' must be 1-40 letters, digits, '-' or '_'");
            if (string.IsNullOrWhiteSpace(Text(dashboard, "title")))
                Add("", "missing \"title\"");
            if (dashboard["schemaVersion"] is not JsonValue version || !version.TryGetValue<int>(out _))
                Add("", "missing numeric \"schemaVersion\"");

            var variables = dashboard["templating"]?["list"] as JsonArray ?? [];
            var datasourceVariables = variables.OfType<JsonObject>()
                .Where(v => Text(v, "type") == "datasource" && Text(v, "query") == "prometheus")
                .Select(v => Text(v, "name"))
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            if (datasourceVariables.Count == 0)
                Add(dashboard["templating"] is null ? "" : "/templating", "no Prometheus data-source variable (templating.list entry with type \"datasource\" and query \"prometheus\")");
            for (var i = 0; i < variables.Count; i++)
            {
                if (variables[i] is JsonObject variable && Text(variable, "type") == "query")
                    CheckDatasource(variable, $"/templating/list/{i}", datasourceVariables);
            }

            var ids = new HashSet<int>();
            if (dashboard["panels"] is not JsonArray panels || panels.Count == 0)
            {
                Add("", "no \"panels\"");
                return;
            }
            CheckPanels(panels, "/panels", ids, datasourceVariables);
        }

        private void CheckPanels(JsonArray panels, string at, HashSet<int> ids, HashSet<string> datasourceVariables)
        {
            for (var i = 0; i < panels.Count; i++)
            {
                var here = $"{at}/{i}";
                if (panels[i] is not JsonObject panel)
                {
                    Add(here, "a panel must be an object");
                    continue;
                }
                var type = Text(panel, "type");
                if (type is null)
                    Add(here, "panel without \"type\"");
                if (panel["id"] is JsonValue id && id.TryGetValue<int>(out var n))
                {
                    if (!ids.Add(n))
                        Add(here + "/id", $"panel id {n} is used twice");
                }
                else
                    Add(here, "panel without a numeric \"id\"");
                CheckGridPos(panel, here);
                if (type == "row")
                {
                    if (panel["panels"] is JsonArray nested)
                        CheckPanels(nested, here + "/panels", ids, datasourceVariables);
                    continue;
                }
                if (string.IsNullOrWhiteSpace(Text(panel, "title")))
                    Add(here, "panel without \"title\"");
                CheckDatasource(panel, here, datasourceVariables);
                var targets = panel["targets"] as JsonArray ?? [];
                if (targets.Count == 0 && type != "text")
                    Add(here, $"panel '{Text(panel, "title")}' has no targets");
                var refIds = new HashSet<string>(StringComparer.Ordinal);
                for (var t = 0; t < targets.Count; t++)
                {
                    var targetAt = $"{here}/targets/{t}";
                    if (targets[t] is not JsonObject target)
                    {
                        Add(targetAt, "a target must be an object");
                        continue;
                    }
                    if (string.IsNullOrWhiteSpace(Text(target, "expr")))
                        Add(targetAt, "target without a PromQL \"expr\"");
                    var refId = Text(target, "refId");
                    if (refId is null || !refIds.Add(refId))
                        Add(targetAt, refId is null ? "target without \"refId\"" : $"refId '{refId}' is used twice in this panel");
                    CheckDatasource(target, targetAt, datasourceVariables);
                }
            }
        }

        private void CheckGridPos(JsonObject panel, string at)
        {
            if (panel["gridPos"] is not JsonObject grid)
            {
                Add(at, "panel without \"gridPos\"");
                return;
            }
            int? Number(string key) => grid[key] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
            var (x, y, w, h) = (Number("x"), Number("y"), Number("w"), Number("h"));
            if (x is null || y is null || w is null || h is null)
                Add(at + "/gridPos", "gridPos needs numeric x, y, w and h");
            else if (w is < 1 or > 24 || x < 0 || x + w > 24)
                Add(at + "/gridPos/w", $"gridPos x={x}, w={w} does not fit Grafana's 24 columns");
            else if (h < 1 || y < 0)
                Add(at + "/gridPos/h", $"gridPos y={y}, h={h} must be non-negative with a height of at least 1");
        }

        /// <summary>Queries must go through the data-source variable, so the board works on any Grafana.</summary>
        private void CheckDatasource(JsonObject owner, string at, HashSet<string> datasourceVariables)
        {
            if (owner["datasource"] is not JsonObject datasource)
            {
                Add(at, "no \"datasource\": use the dashboard's Prometheus data-source variable");
                return;
            }
            var uid = Text(datasource, "uid") ?? "";
            var name = uid.StartsWith("${", StringComparison.Ordinal) && uid.EndsWith('}') ? uid[2..^1] : uid.StartsWith('$') ? uid[1..] : null;
            if (Text(datasource, "type") != "prometheus" || name is null || !datasourceVariables.Contains(name))
                Add(at + "/datasource", $"datasource uid '{uid}' is not the dashboard's Prometheus data-source variable (e.g. \"${{datasource}}\")");
        }

        private void Add(string pointer, string message) => problems.Add(new Problem(path, lines.LineOf(pointer), message));
    }

    private static string? Text(JsonObject owner, string key) =>
        owner[key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}

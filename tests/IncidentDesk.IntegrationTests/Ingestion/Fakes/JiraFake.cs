using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>
/// Jira Service Management Cloud: the enhanced JQL search (<c>GET /rest/api/3/search/jql</c>:
/// <c>{issues[], nextPageToken, isLast}</c>, only the fields asked for, ids only without <c>fields</c>)
/// and the request SLA listing (<c>GET /rest/servicedeskapi/request/{key}/sla</c>:
/// <c>{start, limit, size, isLastPage, values[]}</c> of <c>{id, name, ongoingCycle, completedCycles[]}</c>),
/// shaped as in Atlassian's REST reference. The fake's JQL understands only what the poller sends:
/// an optional <c>(project = X) AND</c>, <c>updated &gt;= "yyyy-MM-dd HH:mm"</c> (UTC) and <c>ORDER BY updated ASC</c>.
/// </summary>
public sealed partial class JiraFake : IAsyncDisposable
{
    public const string Email = "desk-bot@example.com";
    public const string ApiToken = "atl-token-456";
    public const string EscalationField = "customfield_10050";

    private readonly Dictionary<string, FakeRequest> requests = [];
    private readonly Lock gate = new();

    public FakeHttpServer Server { get; private set; } = null!;

    /// <summary>JQL strings received, in order.</summary>
    public List<string> Queries { get; } = [];

    /// <summary>
    /// One customer request. <paramref name="FirstResponseAfter"/> completes the first-response cycle;
    /// without it the cycle is ongoing (<paramref name="Paused"/>, <paramref name="Remaining"/>).
    /// <paramref name="HasSla"/> false: the SLA endpoint answers 404 (not a service project).
    /// </summary>
    public sealed record FakeRequest(
        string Key, DateTimeOffset Created, DateTimeOffset Updated, string StatusName, string StatusCategory, string? Priority,
        string[] Labels, TimeSpan? FirstResponseAfter = null, bool Breached = false, bool Paused = false, TimeSpan? Remaining = null,
        DateTimeOffset? Resolved = null, string? Escalation = null, bool HasSla = true);

    public static async Task<JiraFake> StartAsync()
    {
        var fake = new JiraFake();
        fake.Server = await FakeHttpServer.StartAsync(app =>
        {
            app.MapGet("/rest/api/3/search/jql", (HttpRequest r) => Authorized(r) ? fake.Search(r) : Unauthorized());
            app.MapGet("/rest/servicedeskapi/request/{key}/sla", (HttpRequest r, string key) => Authorized(r) ? fake.Sla(key) : Unauthorized());
        });
        return fake;
    }

    public Dictionary<string, string?> Settings(string prefix = "Ticketing:Jira:") => new()
    {
        [prefix + "BaseUrl"] = Server.BaseAddress.ToString(),
        [prefix + "Email"] = Email,
        [prefix + "ApiToken"] = ApiToken,
        [prefix + "Jql"] = "project = SUP",
        [prefix + "PollInterval"] = "00:00:01",
        [prefix + "RequestTimeout"] = "00:00:01",
        [prefix + "RetryDelay"] = "00:00:00.050",
        [prefix + "StartFrom"] = "2026-11-01T00:00:00Z",
        [prefix + "TechEscalationField"] = EscalationField,
    };

    /// <summary>Adds or replaces requests (a replacement is an update in Jira).</summary>
    public void Put(IEnumerable<FakeRequest> items)
    {
        lock (gate)
        {
            foreach (var r in items)
                requests[r.Key] = r;
        }
    }

    // Atlassian API tokens: Basic base64("{email}:{api_token}").
    private static bool Authorized(HttpRequest r) =>
        r.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Email}:{ApiToken}"));

    private static IResult Unauthorized() => Error("You are not authenticated.", 401);

    private static IResult Error(string message, int status) => Results.Json(new { errorMessages = new List<string> { message }, errors = new { } }, statusCode: status);

    [GeneratedRegex("""^(?:\(project = (?<project>[A-Z]+)\) AND )?updated >= "(?<since>\d{4}-\d\d-\d\d \d\d:\d\d)" ORDER BY updated ASC$""")]
    private static partial Regex JqlPattern();

    private IResult Search(HttpRequest request)
    {
        var jql = request.Query["jql"].ToString();
        lock (gate)
            Queries.Add(jql);
        var match = JqlPattern().Match(jql);
        if (!match.Success)
            return Error($"Error in the JQL Query: '{jql}'", 400);
        var since = DateTimeOffset.ParseExact(match.Groups["since"].Value, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var project = match.Groups["project"].Success ? match.Groups["project"].Value + "-" : "";
        var size = int.TryParse(request.Query["maxResults"], out var m) ? Math.Min(m, 100) : 50;
        var offset = 0;
        if (request.Query["nextPageToken"].FirstOrDefault() is { } token)
        {
            // Tokens belong to one query: a token from another listing is refused, as Jira does.
            var (tokenJql, tokenOffset) = DecodeToken(token);
            if (tokenJql != jql)
                return Error("The provided next page token is invalid or expired.", 400);
            offset = tokenOffset;
        }
        var fields = request.Query["fields"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        List<FakeRequest> matching;
        lock (gate)
        {
            matching = requests.Values.Where(r => r.Key.StartsWith(project, StringComparison.Ordinal) && r.Updated >= since)
                .OrderBy(r => r.Updated).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        }
        var page = matching.Skip(offset).Take(size).ToList();
        var isLast = offset + page.Count >= matching.Count;
        var body = new JsonObject
        {
            ["issues"] = new JsonArray(page.Select(r => (JsonNode)IssueJson(r, fields)).ToArray<JsonNode?>()),
            ["nextPageToken"] = isLast ? null : EncodeToken(jql, offset + page.Count),
            ["isLast"] = isLast,
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private JsonObject IssueJson(FakeRequest r, HashSet<string> wanted)
    {
        var id = 10000 + int.Parse(r.Key.Split('-')[1], CultureInfo.InvariantCulture);
        var issue = new JsonObject { ["id"] = id.ToString(CultureInfo.InvariantCulture) };
        if (wanted.Count == 0)
            return issue; // the enhanced search without `fields` returns ids only
        issue["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations";
        issue["self"] = $"{Server.BaseAddress}rest/api/3/issue/{id}";
        issue["key"] = r.Key;
        var all = new JsonObject
        {
            ["summary"] = "Refund for order 4711 - Jane Customer",
            ["description"] = new JsonObject { ["type"] = "doc", ["version"] = 1, ["content"] = new JsonArray() },
            ["reporter"] = new JsonObject { ["accountId"] = "qm:1234", ["emailAddress"] = "jane.customer@example.com", ["displayName"] = "Jane Customer" },
            ["created"] = JiraTime(r.Created),
            ["updated"] = JiraTime(r.Updated),
            ["resolutiondate"] = r.Resolved is { } resolved ? JiraTime(resolved) : null,
            ["labels"] = new JsonArray(r.Labels.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray<JsonNode?>()),
            ["status"] = new JsonObject
            {
                ["self"] = $"{Server.BaseAddress}rest/api/3/status/10001",
                ["description"] = "",
                ["name"] = r.StatusName,
                ["id"] = "10001",
                ["statusCategory"] = new JsonObject { ["id"] = r.StatusCategory switch { "new" => 2, "done" => 3, _ => 4 }, ["key"] = r.StatusCategory, ["colorName"] = "blue-gray", ["name"] = "To Do" },
            },
            ["priority"] = r.Priority is null ? null : new JsonObject { ["self"] = $"{Server.BaseAddress}rest/api/3/priority/3", ["name"] = r.Priority, ["id"] = "3" },
            // A single-select custom field: an option object, or null when unset.
            [EscalationField] = r.Escalation is null ? null : new JsonObject { ["self"] = $"{Server.BaseAddress}rest/api/3/customFieldOption/10100", ["value"] = r.Escalation, ["id"] = "10100" },
        };
        var fields = new JsonObject();
        foreach (var (name, value) in all)
        {
            if (wanted.Contains(name) || wanted.Contains("*all"))
                fields[name] = value?.DeepClone();
        }
        issue["fields"] = fields;
        return issue;
    }

    private IResult Sla(string key)
    {
        FakeRequest? r;
        lock (gate)
            r = requests.GetValueOrDefault(key);
        if (r is null || !r.HasSla)
            return Results.Json(new { errorMessage = $"Request '{key}' does not exist or you do not have permission to see it.", i18nErrorMessage = new { i18nKey = "sd.request.error.notfound", parameters = new List<string> { key } } }, statusCode: 404);
        var goal = TimeSpan.FromHours(4);
        var resolution = new JsonObject
        {
            ["id"] = "1",
            ["name"] = "Time to resolution",
            ["_links"] = new JsonObject { ["self"] = $"{Server.BaseAddress}rest/servicedeskapi/request/{key}/sla/1" },
            ["completedCycles"] = new JsonArray(),
            ["ongoingCycle"] = Cycle(r.Created, null, TimeSpan.FromHours(24), TimeSpan.FromMinutes(30), breached: false, paused: false),
        };
        var firstResponse = new JsonObject
        {
            ["id"] = "2",
            ["name"] = "Time to first response",
            ["_links"] = new JsonObject { ["self"] = $"{Server.BaseAddress}rest/servicedeskapi/request/{key}/sla/2" },
            ["completedCycles"] = r.FirstResponseAfter is { } after
                ? new JsonArray(Cycle(r.Created, r.Created + after, goal, after, r.Breached, paused: null))
                : new JsonArray(),
            ["ongoingCycle"] = r.FirstResponseAfter is null
                ? Cycle(r.Created, null, goal, goal - (r.Remaining ?? goal), r.Breached, r.Paused, r.Remaining)
                : null,
        };
        var body = new JsonObject
        {
            ["size"] = 2,
            ["start"] = 0,
            ["limit"] = 50,
            ["isLastPage"] = true,
            ["_links"] = new JsonObject { ["base"] = Server.BaseAddress.ToString(), ["context"] = "", ["self"] = $"{Server.BaseAddress}rest/servicedeskapi/request/{key}/sla" },
            ["values"] = new JsonArray(resolution, firstResponse),
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private static JsonObject Cycle(DateTimeOffset start, DateTimeOffset? stop, TimeSpan goal, TimeSpan elapsed, bool breached, bool? paused, TimeSpan? remaining = null)
    {
        var cycle = new JsonObject
        {
            ["startTime"] = Date(start),
            ["breachTime"] = Date(start + goal),
            ["breached"] = breached,
            ["goalDuration"] = Duration(goal),
            ["elapsedTime"] = Duration(elapsed),
            ["remainingTime"] = Duration(remaining ?? goal - elapsed),
        };
        if (stop is { } s)
            cycle["stopTime"] = Date(s);
        if (paused is { } p)
        {
            cycle["paused"] = p;
            cycle["withinCalendarHours"] = true;
        }
        return cycle;
    }

    private static JsonObject Date(DateTimeOffset t) => new()
    {
        ["iso8601"] = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+0000",
        ["jira"] = JiraTime(t),
        ["friendly"] = t.UtcDateTime.ToString("dd/MMM/yy h:mm tt", CultureInfo.InvariantCulture),
        ["epochMillis"] = t.ToUnixTimeMilliseconds(),
    };

    private static JsonObject Duration(TimeSpan d) => new() { ["millis"] = (long)d.TotalMilliseconds, ["friendly"] = $"{(int)d.TotalHours}h {d.Minutes}m" };

    private static string JiraTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";

    private static string EncodeToken(string jql, int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}|{jql}"));

    private static (string Jql, int Offset) DecodeToken(string token)
    {
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        return (text[(bar + 1)..], int.Parse(text[..bar], CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>
/// Twilio, shaped as in twilio-oai: the Calls list of API 2010-04-01,
/// <c>GET /2010-04-01/Accounts/{AccountSid}/Calls.json?StartTime&gt;=&amp;PageSize=</c> (newest first;
/// <c>calls</c>, <c>next_page_uri</c> with <c>Page</c>/<c>PageToken</c> while more follow, <c>page</c>, <c>page_size</c>, <c>uri</c>;
/// times RFC 2822, <c>duration</c> a string), and TaskRouter v1's
/// <c>GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics?StartDate=&amp;EndDate=&amp;TaskChannel=&amp;SplitByWaitTime=</c>
/// computed from the tasks put into the fake. Basic auth <c>AccountSid:AuthToken</c>; errors are Twilio's
/// <c>{code, message, more_info, status}</c>.
/// </summary>
public sealed class TwilioFake : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "twilio-auth-token-321";
    public const string WorkspaceSid = "WS0123456789abcdef0123456789abcdef";
    public const string CallerNumber = "+15558675310";
    public const string DeskNumber = "+15551230000";

    private readonly List<FakeCall> calls = [];
    private readonly List<FakeTask> tasks = [];
    private readonly Lock gate = new();

    public FakeHttpServer Server { get; private set; } = null!;

    /// <summary>Every <c>StartTime&gt;=</c> a first page was asked for, as sent.</summary>
    public ConcurrentQueue<string> StartTimes { get; } = new();

    /// <summary>One call; <paramref name="Status"/> and <paramref name="Direction"/> are Twilio's words.</summary>
    public sealed record FakeCall(
        string Sid, string Status, DateTimeOffset Created, DateTimeOffset? Start, DateTimeOffset? End, int? Duration,
        string Direction = "inbound", string? ParentCallSid = null, DateTimeOffset? Updated = null);

    /// <summary>A TaskRouter task of a queue: entered at, then accepted or canceled after <paramref name="WaitSeconds"/>.</summary>
    public sealed record FakeTask(string QueueSid, DateTimeOffset EnteredAt, int WaitSeconds, bool Accepted, string Channel = "voice");

    public static async Task<TwilioFake> StartAsync()
    {
        var fake = new TwilioFake();
        fake.Server = await FakeHttpServer.StartAsync(app =>
        {
            app.MapGet("/2010-04-01/Accounts/{account}/Calls.json", (HttpContext c, string account) =>
                !Authorized(c.Request) ? Unauthorized() : account != AccountSid ? NotFound(c) : fake.ListCalls(c));
            app.MapGet("/v1/Workspaces/{workspace}/TaskQueues/{queue}/CumulativeStatistics", (HttpContext c, string workspace, string queue) =>
                !Authorized(c.Request) ? Unauthorized() : workspace != WorkspaceSid ? NotFound(c) : fake.Statistics(c, queue));
        });
        return fake;
    }

    public Dictionary<string, string?> Settings(string prefix = "Telephony:Twilio:") => new()
    {
        [prefix + "BaseUrl"] = Server.BaseAddress.ToString(),
        [prefix + "TaskRouterBaseUrl"] = Server.BaseAddress.ToString(),
        [prefix + "AccountSid"] = AccountSid,
        [prefix + "AuthToken"] = AuthToken,
        [prefix + "WorkspaceSid"] = WorkspaceSid,
        [prefix + "PollInterval"] = "00:00:01",
        [prefix + "RequestTimeout"] = "00:00:01",
        [prefix + "RetryDelay"] = "00:00:00.050",
        [prefix + "StartFrom"] = "2026-11-01T00:00:00Z",
    };

    /// <summary>Adds or replaces calls (a replacement is the call changing, e.g. ending).</summary>
    public void Put(IEnumerable<FakeCall> items)
    {
        lock (gate)
        {
            foreach (var c in items)
            {
                calls.RemoveAll(x => x.Sid == c.Sid);
                calls.Add(c);
            }
        }
    }

    public void Put(IEnumerable<FakeTask> items)
    {
        lock (gate)
            tasks.AddRange(items);
    }

    private static bool Authorized(HttpRequest r) =>
        r.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));

    private static IResult Unauthorized() =>
        Results.Json(new { code = 20003, message = "Authenticate", more_info = "https://www.twilio.com/docs/errors/20003", status = 401 }, statusCode: 401);

    private static IResult NotFound(HttpContext c) =>
        Results.Json(new { code = 20404, message = $"The requested resource {c.Request.Path} was not found", more_info = "https://www.twilio.com/docs/errors/20404", status = 404 }, statusCode: 404);

    private static IResult BadRequest(string message) =>
        Results.Json(new { code = 20001, message, more_info = "https://www.twilio.com/docs/errors/20001", status = 400 }, statusCode: 400);

    private IResult ListCalls(HttpContext context)
    {
        var q = context.Request.Query;
        var startAfter = q["StartTime>"].ToString();
        DateTimeOffset? since = null;
        if (startAfter.Length > 0)
        {
            if (!DateTimeOffset.TryParse(startAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s))
                return BadRequest($"Invalid value for StartTime>: {startAfter}");
            since = s;
        }
        var pageSize = q.ContainsKey("PageSize") ? int.TryParse(q["PageSize"], out var p) ? p : -1 : 50;
        if (pageSize is < 1 or > 1000)
            return BadRequest("PageSize must be between 1 and 1000");
        var page = int.TryParse(q["Page"], out var n) ? n : 0;
        var token = q["PageToken"].ToString();
        if (page == 0 && token.Length == 0)
            StartTimes.Enqueue(startAfter);

        // Newest first (by start time, calls not yet started by creation), then by sid; a page token is
        // "PA" + the sid of the last call of the previous page (keyset, so new calls do not shift pages).
        List<FakeCall> matching;
        lock (gate)
        {
            matching = calls
                .Where(c => since is null || (c.Start ?? c.Created) >= since)
                .OrderByDescending(c => c.Start ?? c.Created).ThenByDescending(c => c.Sid, StringComparer.Ordinal)
                .ToList();
        }
        if (token.Length > 0)
        {
            var after = matching.FindIndex(c => "PA" + c.Sid == token);
            if (after < 0)
                return BadRequest("Invalid PageToken");
            matching = matching.Skip(after + 1).ToList();
        }
        var items = matching.Take(pageSize).ToList();
        var path = $"/2010-04-01/Accounts/{AccountSid}/Calls.json";
        var filter = since is null ? "" : $"StartTime%3E={Uri.EscapeDataString(startAfter)}&";
        var body = new JsonObject
        {
            ["calls"] = new JsonArray(items.Select(c => (JsonNode)CallJson(c)).ToArray<JsonNode?>()),
            ["end"] = page * pageSize + items.Count - 1,
            ["first_page_uri"] = $"{path}?{filter}PageSize={pageSize}&Page=0",
            ["next_page_uri"] = matching.Count > pageSize ? $"{path}?{filter}PageSize={pageSize}&Page={page + 1}&PageToken=PA{items[^1].Sid}" : null,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["previous_page_uri"] = page > 0 ? $"{path}?{filter}PageSize={pageSize}&Page={page - 1}" : null,
            ["start"] = page * pageSize,
            ["uri"] = $"{path}?{filter}PageSize={pageSize}&Page={page}",
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private static JsonObject CallJson(FakeCall c) => new()
    {
        ["date_updated"] = Rfc2822(c.Updated ?? c.End ?? c.Start ?? c.Created),
        ["price_unit"] = "USD",
        ["parent_call_sid"] = c.ParentCallSid,
        ["caller_name"] = "Jane Customer",
        ["duration"] = c.Duration?.ToString(CultureInfo.InvariantCulture),
        ["from"] = c.Direction == "inbound" ? CallerNumber : DeskNumber,
        ["to"] = c.Direction == "inbound" ? DeskNumber : CallerNumber,
        ["annotation"] = null,
        ["answered_by"] = null,
        ["sid"] = c.Sid,
        ["queue_time"] = "0",
        ["price"] = c.End is null ? null : "-0.00850",
        ["api_version"] = "2010-04-01",
        ["status"] = c.Status,
        ["direction"] = c.Direction,
        ["start_time"] = c.Start is { } s ? Rfc2822(s) : null,
        ["date_created"] = Rfc2822(c.Created),
        ["from_formatted"] = "(555) 867-5310",
        ["group_sid"] = null,
        ["trunk_sid"] = "",
        ["forwarded_from"] = DeskNumber,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Calls/{c.Sid}.json",
        ["account_sid"] = AccountSid,
        ["end_time"] = c.End is { } e ? Rfc2822(e) : null,
        ["to_formatted"] = "(555) 123-0000",
        ["phone_number_sid"] = "PN0123456789abcdef0123456789abcdef",
        ["subresource_uris"] = new JsonObject
        {
            ["recordings"] = $"/2010-04-01/Accounts/{AccountSid}/Calls/{c.Sid}/Recordings.json",
            ["events"] = $"/2010-04-01/Accounts/{AccountSid}/Calls/{c.Sid}/Events.json",
        },
    };

    private IResult Statistics(HttpContext context, string queue)
    {
        var q = context.Request.Query;
        if (!DateTimeOffset.TryParse(q["StartDate"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !DateTimeOffset.TryParse(q["EndDate"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
            return BadRequest("StartDate and EndDate must be ISO 8601 date-times");
        var channel = q["TaskChannel"].ToString();
        var splits = q["SplitByWaitTime"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        List<FakeTask> window;
        lock (gate)
            window = tasks.Where(t => t.QueueSid == queue && t.EnteredAt >= start && t.EnteredAt < end && (channel.Length == 0 || t.Channel == channel)).ToList();
        var accepted = window.Where(t => t.Accepted).Select(t => t.WaitSeconds).ToList();
        var canceled = window.Where(t => !t.Accepted).Select(t => t.WaitSeconds).ToList();
        JsonObject Durations(List<int> w) => new()
        {
            ["avg"] = w.Count == 0 ? 0 : (int)Math.Round(w.Average()),
            ["min"] = w.Count == 0 ? 0 : w.Min(),
            ["max"] = w.Count == 0 ? 0 : w.Max(),
            ["total"] = w.Sum(),
        };
        var split = new JsonObject();
        foreach (var s in splits)
        {
            split[s.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["above"] = new JsonObject { ["tasks_canceled"] = canceled.Count(w => w > s), ["reservations_accepted"] = accepted.Count(w => w > s) },
                ["below"] = new JsonObject { ["tasks_canceled"] = canceled.Count(w => w <= s), ["reservations_accepted"] = accepted.Count(w => w <= s) },
            };
        }
        var body = new JsonObject
        {
            ["account_sid"] = AccountSid,
            ["avg_task_acceptance_time"] = accepted.Count == 0 ? 0 : (int)Math.Round(accepted.Average()),
            ["start_time"] = Iso(start),
            ["end_time"] = Iso(end),
            ["reservations_created"] = window.Count,
            ["reservations_accepted"] = accepted.Count,
            ["reservations_rejected"] = 0,
            ["reservations_timed_out"] = 0,
            ["reservations_canceled"] = canceled.Count,
            ["reservations_rescinded"] = 0,
            ["split_by_wait_time"] = splits.Count == 0 ? null : split,
            ["task_queue_sid"] = queue,
            ["wait_duration_until_accepted"] = Durations(accepted),
            ["wait_duration_until_canceled"] = Durations(canceled),
            ["wait_duration_in_queue_until_accepted"] = Durations(accepted),
            ["tasks_canceled"] = canceled.Count,
            ["tasks_completed"] = accepted.Count,
            ["tasks_deleted"] = 0,
            ["tasks_entered"] = window.Count,
            ["tasks_moved"] = 0,
            ["workspace_sid"] = WorkspaceSid,
            ["url"] = $"https://taskrouter.twilio.com/v1/Workspaces/{WorkspaceSid}/TaskQueues/{queue}/CumulativeStatistics",
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    /// <summary>As Twilio writes times: <c>Tue, 10 Aug 2010 08:02:17 +0000</c>.</summary>
    public static string Rfc2822(DateTimeOffset t) => t.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

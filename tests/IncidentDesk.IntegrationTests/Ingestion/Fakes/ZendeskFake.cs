using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>
/// Zendesk Support's incremental cursor export (with side-loaded <c>metric_sets</c>) and the
/// satisfaction ratings listing, shaped as in Zendesk's API reference, over in-memory tickets.
/// </summary>
public sealed class ZendeskFake : IAsyncDisposable
{
    private readonly List<FakeTicket> tickets = [];
    private readonly List<(long Id, long TicketId, string Score, DateTimeOffset At)> ratings = [];
    private readonly List<(long Id, long TicketId, string Metric, int InstanceId, string Type, DateTimeOffset Time)> metricEvents = [];
    private readonly Lock gate = new();

    /// <summary>Events per page of the time-based metric events export (Zendesk: up to 1000).</summary>
    public int MetricEventsPageSize { get; set; } = 1000;

    public int PageSize { get; set; } = 100;

    /// <summary>When set, the next export page answers with the cursor it was given (and end_of_stream false).</summary>
    public bool RepeatCursorOnce { get; set; }

    public FakeHttpServer Server { get; private set; } = null!;

    /// <summary>One ticket as Zendesk has it; <paramref name="Channel"/> is a string or an int (via.channel).</summary>
    public sealed record FakeTicket(
        long Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Status, string? Priority, object Channel,
        string[] Tags, int? ReplyCalendarMinutes, int? ReplyBusinessMinutes, DateTimeOffset? SolvedAt = null, long GroupId = 360001);

    public static async Task<ZendeskFake> StartAsync()
    {
        var fake = new ZendeskFake();
        fake.Server = await FakeHttpServer.StartAsync(app =>
        {
            app.MapGet("/api/v2/incremental/tickets/cursor.json", (HttpRequest r) => Authorized(r) ? fake.Export(r) : Unauthorized());
            app.MapGet("/api/v2/satisfaction_ratings", (HttpRequest r) => Authorized(r) ? fake.Ratings(r) : Unauthorized());
            app.MapGet("/api/v2/incremental/ticket_metric_events", (HttpRequest r) => Authorized(r) ? fake.MetricEvents(r) : Unauthorized());
        });
        return fake;
    }

    private readonly Dictionary<int, byte[]> rendered = [];

    /// <summary>Renders every export page ahead (for the benchmark: the fake's own JSON work then costs nothing while measured).</summary>
    public void Prerender()
    {
        var end = false;
        for (var offset = 0; !end; offset += PageSize)
            rendered[offset] = Encoding.UTF8.GetBytes(ExportPage(offset, PageSize, out end));
    }

    public const string Email = "agent@example.com";
    public const string ApiToken = "zd-token-123";

    // Zendesk API token authentication: Basic base64("{email}/token:{api_token}").
    private static bool Authorized(HttpRequest r) =>
        r.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Email}/token:{ApiToken}"));

    private static IResult Unauthorized() => Results.Json(new { error = "Couldn't authenticate you" }, statusCode: 401);

    /// <summary>The settings that point the service at this fake.</summary>
    public Dictionary<string, string?> Settings(string prefix = "Ticketing:Zendesk:") => new()
    {
        [prefix + "BaseUrl"] = Server.BaseAddress.ToString(),
        [prefix + "Email"] = Email,
        [prefix + "ApiToken"] = ApiToken,
        [prefix + "PollInterval"] = "00:00:01",
        [prefix + "RequestTimeout"] = "00:00:01",
        [prefix + "RetryDelay"] = "00:00:00.050",
        [prefix + "StartFrom"] = "2026-11-01T00:00:00Z",
    };

    public void Add(IEnumerable<FakeTicket> items)
    {
        lock (gate)
        {
            tickets.AddRange(items);
            // The export is ordered by update time, as Zendesk's is.
            tickets.Sort((a, b) => a.UpdatedAt != b.UpdatedAt ? a.UpdatedAt.CompareTo(b.UpdatedAt) : a.Id.CompareTo(b.Id));
        }
    }

    public void AddRating(long ticketId, string score, DateTimeOffset at)
    {
        lock (gate)
            ratings.Add((ratings.Count + 1000, ticketId, score, at));
    }

    /// <summary>A ticket metric event (metric reply_time, agent_work_time, …; type activate, pause, fulfill, apply_sla, breach, update_status).</summary>
    public void AddMetricEvent(long ticketId, string metric, string type, DateTimeOffset time, int instanceId = 1)
    {
        lock (gate)
            metricEvents.Add((metricEvents.Count + 80_000, ticketId, metric, instanceId, type, time));
    }

    /// <summary>A page of the export as the JSON text Zendesk would send (also used by the benchmark).</summary>
    public string ExportPage(int offset, int size, out bool endOfStream)
    {
        List<FakeTicket> page;
        lock (gate)
        {
            page = tickets.Skip(offset).Take(size).ToList();
            endOfStream = offset + page.Count >= tickets.Count;
        }
        var body = new JsonObject
        {
            ["tickets"] = new JsonArray(page.Select(TicketJson).ToArray<JsonNode?>()),
            ["metric_sets"] = new JsonArray(page.Select(MetricSetJson).ToArray<JsonNode?>()),
            ["after_cursor"] = Encode(offset + page.Count),
            ["after_url"] = $"{Server?.BaseAddress}api/v2/incremental/tickets/cursor.json?cursor={Encode(offset + page.Count)}",
            ["before_cursor"] = Encode(offset),
            ["before_url"] = $"{Server?.BaseAddress}api/v2/incremental/tickets/cursor.json?cursor={Encode(offset)}",
            ["end_of_stream"] = endOfStream,
        };
        return body.ToJsonString();
    }

    private IResult Export(HttpRequest request)
    {
        int offset;
        string? given = request.Query["cursor"];
        if (given is not null)
        {
            offset = Decode(given);
        }
        else if (long.TryParse(request.Query["start_time"], out var start))
        {
            lock (gate)
                offset = tickets.FindIndex(t => t.UpdatedAt.ToUnixTimeSeconds() >= start) is var i and >= 0 ? i : tickets.Count;
        }
        else
        {
            return Results.Json(new { error = "InvalidPaginationParameter", description = "start_time or cursor is required" }, statusCode: 400);
        }
        if (RepeatCursorOnce && given is not null)
        {
            RepeatCursorOnce = false;
            return Results.Text(new JsonObject { ["tickets"] = new JsonArray(), ["after_cursor"] = given, ["end_of_stream"] = false }.ToJsonString(), "application/json");
        }
        if (rendered.TryGetValue(offset, out var cached))
            return Results.Bytes(cached, "application/json");
        return Results.Text(ExportPage(offset, PageSize, out _), "application/json");
    }

    private IResult Ratings(HttpRequest request)
    {
        var start = long.Parse(request.Query["start_time"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
        var size = int.Parse(request.Query["page[size]"].FirstOrDefault() ?? "100", CultureInfo.InvariantCulture);
        var offset = request.Query["page[after]"].FirstOrDefault() is { } after ? Decode(after) : 0;
        List<(long Id, long TicketId, string Score, DateTimeOffset At)> matching;
        lock (gate)
            matching = ratings.Where(r => r.At.ToUnixTimeSeconds() >= start).OrderBy(r => r.At).ToList();
        var page = matching.Skip(offset).Take(size).ToList();
        var more = offset + page.Count < matching.Count;
        var body = new JsonObject
        {
            ["satisfaction_ratings"] = new JsonArray(page.Select(r => (JsonNode)new JsonObject
            {
                ["url"] = $"https://example.zendesk.com/api/v2/satisfaction_ratings/{r.Id}.json",
                ["id"] = r.Id,
                ["assignee_id"] = 7001,
                ["group_id"] = 360001,
                ["requester_id"] = 9001,
                ["ticket_id"] = r.TicketId,
                ["score"] = r.Score,
                ["comment"] = "Thanks, all sorted",
                ["reason_code"] = 0,
                ["created_at"] = Iso(r.At),
                ["updated_at"] = Iso(r.At),
            }).ToArray<JsonNode?>()),
            ["meta"] = new JsonObject { ["has_more"] = more, ["after_cursor"] = more ? Encode(offset + page.Count) : null, ["before_cursor"] = Encode(offset) },
            ["links"] = new JsonObject { ["next"] = more ? "next" : null, ["prev"] = null },
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    // Time-based incremental export: events with time >= start_time, oldest first; end_time is the last event's time, and
    // the next page starts there (so events at end_time come again, as Zendesk documents).
    private IResult MetricEvents(HttpRequest request)
    {
        if (!long.TryParse(request.Query["start_time"], out var start))
            return Results.Json(new { error = "InvalidValue", description = "start_time is required" }, statusCode: 400);
        List<(long Id, long TicketId, string Metric, int InstanceId, string Type, DateTimeOffset Time)> matching;
        lock (gate)
            matching = metricEvents.Where(e => e.Time.ToUnixTimeSeconds() >= start).OrderBy(e => e.Time).ThenBy(e => e.Id).ToList();
        var page = matching.Take(MetricEventsPageSize).ToList();
        var end = page.Count == 0 ? start : page[^1].Time.ToUnixTimeSeconds();
        var body = new JsonObject
        {
            ["ticket_metric_events"] = new JsonArray(page.Select(e =>
            {
                var item = new JsonObject
                {
                    ["id"] = e.Id,
                    ["ticket_id"] = e.TicketId,
                    ["metric"] = e.Metric,
                    ["instance_id"] = e.InstanceId,
                    ["type"] = e.Type,
                    ["time"] = Iso(e.Time),
                };
                if (e.Type == "apply_sla")
                    item["sla"] = new JsonObject { ["target"] = 60, ["business_hours"] = false, ["policy"] = new JsonObject { ["id"] = 360001, ["title"] = "Standard", ["description"] = "Reply within an hour" } };
                return (JsonNode)item;
            }).ToArray<JsonNode?>()),
            ["next_page"] = $"{Server.BaseAddress}api/v2/incremental/ticket_metric_events.json?start_time={end}",
            ["count"] = page.Count,
            ["end_time"] = end,
            ["end_of_stream"] = page.Count == matching.Count,
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private static JsonNode TicketJson(FakeTicket t) => new JsonObject
    {
        ["url"] = $"https://example.zendesk.com/api/v2/tickets/{t.Id}.json",
        ["id"] = t.Id,
        ["external_id"] = null,
        ["via"] = new JsonObject
        {
            ["channel"] = t.Channel is int n ? JsonValue.Create(n) : JsonValue.Create((string)t.Channel),
            ["source"] = new JsonObject { ["from"] = new JsonObject { ["address"] = "jane.customer@example.com", ["name"] = "Jane Customer" }, ["to"] = new JsonObject(), ["rel"] = null },
        },
        ["created_at"] = Iso(t.CreatedAt),
        ["updated_at"] = Iso(t.UpdatedAt),
        ["type"] = "incident",
        ["subject"] = "Cannot log in to my account",
        ["raw_subject"] = "Cannot log in to my account",
        ["description"] = "Hello, I am Jane Customer (jane.customer@example.com) and I cannot log in.",
        ["priority"] = t.Priority,
        ["status"] = t.Status,
        ["recipient"] = "support@example.com",
        ["requester_id"] = 9001,
        ["submitter_id"] = 9001,
        ["assignee_id"] = 7001,
        ["organization_id"] = null,
        ["group_id"] = t.GroupId,
        ["collaborator_ids"] = new JsonArray(),
        ["has_incidents"] = false,
        ["is_public"] = true,
        ["due_at"] = null,
        ["tags"] = new JsonArray(t.Tags.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray<JsonNode?>()),
        ["custom_fields"] = new JsonArray(),
        ["satisfaction_rating"] = new JsonObject { ["score"] = "unoffered" },
        ["brand_id"] = 1,
        ["allow_channelback"] = false,
        ["generated_timestamp"] = t.UpdatedAt.ToUnixTimeSeconds(),
    };

    private static JsonNode MetricSetJson(FakeTicket t) => new JsonObject
    {
        ["url"] = $"https://example.zendesk.com/api/v2/ticket_metrics/{t.Id + 5_000_000}.json",
        ["id"] = t.Id + 5_000_000,
        ["ticket_id"] = t.Id,
        ["created_at"] = Iso(t.CreatedAt),
        ["updated_at"] = Iso(t.UpdatedAt),
        ["group_stations"] = 1,
        ["assignee_stations"] = 1,
        ["reopens"] = 0,
        ["replies"] = t.ReplyCalendarMinutes is null ? 0 : 1,
        ["assignee_updated_at"] = Iso(t.UpdatedAt),
        ["requester_updated_at"] = Iso(t.CreatedAt),
        ["status_updated_at"] = Iso(t.UpdatedAt),
        ["initially_assigned_at"] = Iso(t.CreatedAt.AddMinutes(1)),
        ["assigned_at"] = Iso(t.CreatedAt.AddMinutes(1)),
        ["solved_at"] = t.SolvedAt is { } s ? Iso(s) : null,
        ["latest_comment_added_at"] = Iso(t.UpdatedAt),
        ["reply_time_in_minutes"] = new JsonObject { ["calendar"] = t.ReplyCalendarMinutes, ["business"] = t.ReplyBusinessMinutes },
        ["first_resolution_time_in_minutes"] = new JsonObject { ["calendar"] = null, ["business"] = null },
        ["full_resolution_time_in_minutes"] = new JsonObject { ["calendar"] = null, ["business"] = null },
        ["agent_wait_time_in_minutes"] = new JsonObject { ["calendar"] = null, ["business"] = null },
        ["requester_wait_time_in_minutes"] = new JsonObject { ["calendar"] = t.ReplyCalendarMinutes, ["business"] = t.ReplyBusinessMinutes },
        ["on_hold_time_in_minutes"] = new JsonObject { ["calendar"] = 0, ["business"] = 0 },
    };

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    // Opaque like Zendesk's cursors; the offset inside is the fake's business.
    private static string Encode(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}.0||{offset}|"));

    private static int Decode(string cursor) => int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('.')[0], CultureInfo.InvariantCulture);
}

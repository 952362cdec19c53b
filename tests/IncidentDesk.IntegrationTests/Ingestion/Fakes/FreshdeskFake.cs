using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>
/// Freshdesk v2's ticket listing, <c>GET /api/v2/tickets</c>, shaped as in Freshdesk's API reference:
/// a bare JSON array; <c>updated_since</c> (inclusive), <c>order_by=updated_at</c>, <c>order_type</c>,
/// <c>per_page</c> (at most 100), <c>page</c>; <c>stats</c> only with <c>include=stats</c>; a
/// <c>Link: &lt;…&gt;; rel="next"</c> header while more pages follow; rate-limit headers.
/// </summary>
public sealed class FreshdeskFake : IAsyncDisposable
{
    public const string ApiKey = "fd-api-key-789";

    private readonly List<FakeTicket> tickets = [];
    private readonly Lock gate = new();

    public FakeHttpServer Server { get; private set; } = null!;

    /// <summary>One ticket; <paramref name="Source"/>, <paramref name="Status"/> and <paramref name="Priority"/> are Freshdesk's codes.</summary>
    public sealed record FakeTicket(
        long Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Source, int Status, int Priority, string[] Tags,
        DateTimeOffset? FirstRespondedAt = null, bool FrEscalated = false, DateTimeOffset? ResolvedAt = null);

    public static async Task<FreshdeskFake> StartAsync()
    {
        var fake = new FreshdeskFake();
        fake.Server = await FakeHttpServer.StartAsync(app =>
            app.MapGet("/api/v2/tickets", (HttpContext c) => Authorized(c.Request) ? fake.List(c) : Results.Json(new { code = "invalid_credentials", message = "You have to be logged in to perform this action." }, statusCode: 401)));
        return fake;
    }

    public Dictionary<string, string?> Settings(string prefix = "Ticketing:Freshdesk:") => new()
    {
        [prefix + "BaseUrl"] = Server.BaseAddress.ToString(),
        [prefix + "ApiKey"] = ApiKey,
        [prefix + "PollInterval"] = "00:00:01",
        [prefix + "RequestTimeout"] = "00:00:01",
        [prefix + "RetryDelay"] = "00:00:00.050",
        [prefix + "StartFrom"] = "2026-11-01T00:00:00Z",
    };

    /// <summary>Adds or replaces tickets (a replacement is an update).</summary>
    public void Put(IEnumerable<FakeTicket> items)
    {
        lock (gate)
        {
            foreach (var t in items)
            {
                tickets.RemoveAll(x => x.Id == t.Id);
                tickets.Add(t);
            }
        }
    }

    // Freshdesk: Basic base64("{api_key}:X").
    private static bool Authorized(HttpRequest r) =>
        r.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ApiKey}:X"));

    private IResult List(HttpContext context)
    {
        var q = context.Request.Query;
        if (!DateTimeOffset.TryParse(q["updated_since"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
            return Results.Json(new { description = "Validation failed", errors = new List<object> { new { field = "updated_since", message = "It should be in the 'valid date' format", code = "invalid_value" } } }, statusCode: 400);
        var perPage = int.TryParse(q["per_page"], out var p) ? p : 30;
        if (perPage > 100)
            return Results.Json(new { description = "Validation failed", errors = new List<object> { new { field = "per_page", message = "It should be a Positive Integer less than or equal to 100", code = "invalid_value" } } }, statusCode: 400);
        var page = int.TryParse(q["page"], out var n) ? n : 1;
        var ascending = q["order_type"] == "asc";
        var stats = q["include"] == "stats";
        List<FakeTicket> matching;
        lock (gate)
            matching = tickets.Where(t => t.UpdatedAt >= since).OrderBy(t => t.UpdatedAt).ThenBy(t => t.Id).ToList();
        if (!ascending)
            matching.Reverse();
        var items = matching.Skip((page - 1) * perPage).Take(perPage).ToList();
        context.Response.Headers["X-RateLimit-Total"] = "3000";
        context.Response.Headers["X-RateLimit-Remaining"] = "2999";
        if (page * perPage < matching.Count)
            context.Response.Headers["Link"] = $"<{Server.BaseAddress}api/v2/tickets?updated_since={Uri.EscapeDataString(q["updated_since"].ToString())}&per_page={perPage}&page={page + 1}>; rel=\"next\"";
        return Results.Text(new JsonArray(items.Select(t => (JsonNode)TicketJson(t, stats)).ToArray<JsonNode?>()).ToJsonString(), "application/json");
    }

    private static JsonObject TicketJson(FakeTicket t, bool stats)
    {
        var json = new JsonObject
        {
            ["cc_emails"] = new JsonArray("boss@customer.example"),
            ["fwd_emails"] = new JsonArray(),
            ["reply_cc_emails"] = new JsonArray("boss@customer.example"),
            ["ticket_cc_emails"] = new JsonArray(),
            ["fr_escalated"] = t.FrEscalated,
            ["spam"] = false,
            ["email_config_id"] = 5000123,
            ["group_id"] = 8000456,
            ["priority"] = t.Priority,
            ["requester_id"] = 9000789,
            ["responder_id"] = 9000001,
            ["source"] = t.Source,
            ["company_id"] = null,
            ["status"] = t.Status,
            ["subject"] = "Invoice wrong - Jane Customer",
            ["association_type"] = null,
            ["support_email"] = "support@example.com",
            ["to_emails"] = new JsonArray("support@example.com"),
            ["product_id"] = null,
            ["id"] = t.Id,
            ["type"] = "Question",
            ["due_by"] = Iso(t.CreatedAt.AddDays(3)),
            ["fr_due_by"] = Iso(t.CreatedAt.AddHours(4)),
            ["is_escalated"] = false,
            ["custom_fields"] = new JsonObject(),
            ["created_at"] = Iso(t.CreatedAt),
            ["updated_at"] = Iso(t.UpdatedAt),
            ["associated_tickets_count"] = null,
            ["tags"] = new JsonArray(t.Tags.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray<JsonNode?>()),
        };
        if (stats)
        {
            json["stats"] = new JsonObject
            {
                ["agent_responded_at"] = t.FirstRespondedAt is { } a ? Iso(a) : null,
                ["requester_responded_at"] = null,
                ["first_responded_at"] = t.FirstRespondedAt is { } f ? Iso(f) : null,
                ["status_updated_at"] = Iso(t.UpdatedAt),
                ["reopened_at"] = null,
                ["resolved_at"] = t.ResolvedAt is { } r ? Iso(r) : null,
                ["closed_at"] = null,
                ["pending_since"] = null,
            };
        }
        return json;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

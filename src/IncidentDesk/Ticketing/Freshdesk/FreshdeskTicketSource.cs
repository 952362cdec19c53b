using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Freshdesk;

/// <summary>
/// Freshdesk: <c>GET /api/v2/tickets?updated_since=&amp;order_by=updated_at&amp;order_type=asc&amp;per_page=&amp;page=&amp;include=stats</c>.
/// Instead of walking ever deeper pages, the cursor restarts at page 1 from the newest update of each
/// full page (keyset style; the boundary second is re-read and the upsert ignores it); only a page whose
/// tickets all share one update time moves on to the next page number. A short page means caught up.
/// </summary>
public sealed class FreshdeskTicketSource(HttpClient http, IOptions<FreshdeskOptions> options, TimeProvider time) : IContactSource
{
    public const string Name = "freshdesk";

    public string Source => Name;

    public string CursorKey => Name;

    private sealed record Cursor(DateTimeOffset Since, int Page);

    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(since, 1), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var state = cursor is null
            ? new Cursor(o.StartFrom ?? time.GetUtcNow().AddDays(-30), 1)
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        var since = state.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"api/v2/tickets?updated_since={Uri.EscapeDataString(since)}&order_by=updated_at&order_type=asc&per_page={o.PageSize.ToString(CultureInfo.InvariantCulture)}&page={state.Page.ToString(CultureInfo.InvariantCulture)}&include=stats");
        var tickets = await http.SendJsonAsync<List<FreshdeskTicket>>(Name, request, ct);
        var contacts = tickets.Select(t => ToContact(t, o)).ToList();

        var newest = tickets.Count == 0 ? state.Since : tickets.Max(t => t.UpdatedAt);
        var caughtUp = tickets.Count < o.PageSize;
        var next = caughtUp || newest > state.Since
            ? new Cursor(newest > state.Since ? newest : state.Since, 1)
            : new Cursor(state.Since, state.Page + 1);
        return SourcePage.Of(contacts, JsonSerializer.Serialize(next, SourceHttp.Json), caughtUp);
    }

    private static Contact ToContact(FreshdeskTicket t, FreshdeskOptions o)
    {
        var tags = t.Tags ?? [];
        return new Contact
        {
            Source = Name,
            ExternalId = t.Id.ToString(CultureInfo.InvariantCulture),
            Channel = FreshdeskMapping.Channel(o, t.Source, tags),
            Priority = FreshdeskMapping.Priority(t.Priority),
            Status = FreshdeskMapping.Status(t.Status),
            Queue = t.GroupId?.ToString(CultureInfo.InvariantCulture),
            CreatedAt = t.CreatedAt,
            FirstResponseAt = t.Stats?.FirstRespondedAt,
            SolvedAt = t.Stats?.ResolvedAt ?? t.Stats?.ClosedAt,
            // fr_escalated: the first-response due time (fr_due_by) passed without a response; it stays set.
            // Freshdesk reports no remaining time or pause; fr_due_by minus now would change with every read.
            SlaBreached = t.FrEscalated,
            EscalatedToTech = o.HasAny(tags, o.TechEscalationTags),
            EscalatedAgentError = o.HasAny(tags, o.AgentErrorTags),
            SourceUpdatedAt = t.UpdatedAt,
        };
    }
}

using System.Globalization;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>
/// Zendesk's cursor-based incremental ticket export with the ticket metrics side-loaded
/// (<c>include=metric_sets</c>), so a ticket and its reply times arrive in the same page.
/// Cursor: <c>start:&lt;unix&gt;</c> before the first page, then <c>cursor:&lt;after_cursor&gt;</c>.
/// </summary>
public sealed class ZendeskTicketSource(HttpClient http, IOptions<ZendeskOptions> options, TimeProvider time) : IContactSource
{
    public const string Name = "zendesk";

    public string Source => Name;

    public string CursorKey => Name;

    public string CursorFrom(DateTimeOffset since) => "start:" + since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        cursor ??= CursorFrom(o.StartFrom ?? time.GetUtcNow().AddDays(-30));
        var query = cursor.StartsWith("cursor:", StringComparison.Ordinal)
            ? "cursor=" + Uri.EscapeDataString(cursor["cursor:".Length..])
            : "start_time=" + cursor["start:".Length..];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v2/incremental/tickets/cursor.json?{query}&include=metric_sets");
        var page = await http.SendJsonAsync<ZendeskExportPage>(Name, request, ct);
        if (page.Tickets is null)
            throw new SourceException(Name, "malformed", "export page without a tickets array");

        var metrics = (page.MetricSets ?? []).GroupBy(m => m.TicketId).ToDictionary(g => g.Key, g => g.Last());
        var contacts = page.Tickets.Select(t => ToContact(t, metrics.GetValueOrDefault(t.Id), o)).ToList();
        var next = page.AfterCursor is { Length: > 0 } after ? "cursor:" + after : cursor;
        return SourcePage.Of(contacts, next, page.EndOfStream);
    }

    private static Contact ToContact(ZendeskTicket t, ZendeskMetricSet? m, ZendeskOptions o)
    {
        var tags = t.Tags ?? [];
        var via = t.Via is null ? null : ZendeskMapping.ViaName(t.Via.Channel);
        var reply = m?.ReplyTime;
        return new Contact
        {
            Source = Name,
            ExternalId = t.Id.ToString(CultureInfo.InvariantCulture),
            Channel = ZendeskMapping.Channel(o, via, tags),
            Priority = ZendeskMapping.Priority(t.Priority),
            Status = ZendeskMapping.Status(t.Status),
            Queue = t.GroupId?.ToString(CultureInfo.InvariantCulture),
            CreatedAt = t.CreatedAt,
            // Zendesk reports the first reply as minutes after creation, in calendar and business time.
            FirstResponseAt = reply?.Calendar is { } calendar ? t.CreatedAt.AddMinutes(calendar) : null,
            FirstResponseBusinessSeconds = reply?.Business * 60,
            OnHoldSeconds = m?.OnHoldTime?.Calendar * 60,
            SolvedAt = m?.SolvedAt,
            EscalatedToTech = o.HasAny(tags, o.TechEscalationTags),
            EscalatedAgentError = o.HasAny(tags, o.AgentErrorTags),
            SourceUpdatedAt = t.UpdatedAt,
        };
    }
}

using System.Globalization;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>
/// Zendesk's own first-reply SLA verdict, from the time-based incremental export of ticket metric events
/// (<c>GET /api/v2/incremental/ticket_metric_events?start_time=</c>, paged by <c>end_time</c> until
/// <c>end_of_stream</c>). Only the first reply (<c>reply_time</c>, instance 1) counts: <c>breach</c> marks the
/// ticket breached, <c>pause</c> paused, <c>activate</c> and <c>fulfill</c> running or done. The export repeats
/// events at a page's <c>end_time</c>; replaying them in order leaves the same state.
/// Cursor: <c>start:&lt;unix&gt;</c>.
/// </summary>
public sealed class ZendeskSlaEventSource(HttpClient http, IOptions<ZendeskOptions> options, TimeProvider time) : IContactSource
{
    public string Source => ZendeskTicketSource.Name;

    public string CursorKey => "zendesk:sla-events";

    public string CursorFrom(DateTimeOffset since) => "start:" + since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        cursor ??= CursorFrom(options.Value.StartFrom ?? time.GetUtcNow().AddDays(-30));
        if (!cursor.StartsWith("start:", StringComparison.Ordinal) || !long.TryParse(cursor["start:".Length..], CultureInfo.InvariantCulture, out var start))
            throw new SourceException(Source, "malformed", $"SLA events cursor '{cursor}' is not start:<unix time>");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v2/incremental/ticket_metric_events?start_time={start.ToString(CultureInfo.InvariantCulture)}");
        var page = await http.SendJsonAsync<ZendeskMetricEventsPage>(Source, request, ct);
        var events = page.TicketMetricEvents ?? throw new SourceException(Source, "malformed", "ticket metric events page without a ticket_metric_events array");

        var states = new Dictionary<long, ContactSlaState>();
        foreach (var e in events.Where(e => e.Metric == "reply_time" && (e.InstanceId ?? 1) == 1).OrderBy(e => e.Time).ThenBy(e => e.Id))
        {
            var id = e.TicketId.ToString(CultureInfo.InvariantCulture);
            var state = states.GetValueOrDefault(e.TicketId) ?? new ContactSlaState(Source, id, null, null, e.Time);
            states[e.TicketId] = e.Type switch
            {
                "breach" => state with { Breached = true, At = e.Time },
                "apply_sla" => state with { Breached = state.Breached ?? false, At = e.Time },
                "pause" => state with { Paused = true, At = e.Time },
                "activate" or "fulfill" => state with { Paused = false, At = e.Time },
                _ => state,
            };
        }
        var end = page.EndTime ?? start;
        return new SourcePage([], [], "start:" + Math.Max(end, start).ToString(CultureInfo.InvariantCulture), page.EndOfStream)
        {
            SlaStates = states.Values.Where(s => s.Breached is not null || s.Paused is not null).ToList(),
        };
    }
}

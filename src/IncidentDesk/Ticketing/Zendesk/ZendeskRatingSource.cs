using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Zendesk;

/// <summary>
/// Zendesk CSAT: <c>GET /api/v2/satisfaction_ratings?start_time=</c> with cursor pagination. Only good
/// and bad scores are kept (offered/unoffered are not ratings). The saved cursor is the newest rating
/// time seen plus the page cursor while a listing is in progress; re-reading the boundary is harmless.
/// </summary>
public sealed class ZendeskRatingSource(HttpClient http, IOptions<ZendeskOptions> options, TimeProvider time) : IContactSource
{
    public string Source => ZendeskTicketSource.Name;

    public string CursorKey => "zendesk:ratings";

    private sealed record Cursor(long Start, string? After);

    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(since.ToUnixTimeSeconds(), null), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var state = cursor is null
            ? new Cursor((o.StartFrom ?? time.GetUtcNow().AddDays(-30)).ToUnixTimeSeconds(), null)
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        var url = $"api/v2/satisfaction_ratings?start_time={state.Start.ToString(CultureInfo.InvariantCulture)}&page[size]=100";
        if (state.After is not null)
            url += "&page[after]=" + Uri.EscapeDataString(state.After);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var page = await http.SendJsonAsync<ZendeskRatingsPage>(Source, request, ct);
        var items = page.SatisfactionRatings ?? throw new SourceException(Source, "malformed", "ratings page without a satisfaction_ratings array");

        var ratings = items
            .Where(r => r.TicketId is not null && r.Score is "good" or "bad")
            .Select(r => new ContactRating(Source, r.TicketId!.Value.ToString(CultureInfo.InvariantCulture), r.Score == "good", r.UpdatedAt ?? r.CreatedAt))
            .ToList();
        var newest = items.Count == 0 ? state.Start : Math.Max(state.Start, items.Max(r => r.CreatedAt.ToUnixTimeSeconds()));
        var more = page.Meta is { HasMore: true, AfterCursor: { Length: > 0 } };
        var next = more ? new Cursor(state.Start, page.Meta!.AfterCursor) : new Cursor(newest, null);
        return new SourcePage([], ratings, JsonSerializer.Serialize(next, SourceHttp.Json), CaughtUp: !more);
    }
}

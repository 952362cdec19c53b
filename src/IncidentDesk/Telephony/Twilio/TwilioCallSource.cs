using System.Globalization;
using System.Text.Json;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Telephony.Twilio;

/// <summary>
/// Twilio calls: <c>GET /2010-04-01/Accounts/{Sid}/Calls.json?StartTime&gt;=…&amp;PageSize=…</c>, then each
/// <c>next_page_uri</c> until there is none (one "listing"). The cursor keeps the page to read next, so a
/// crash resumes mid-listing; when a listing ends, the next one starts at the listing's start minus
/// <see cref="TwilioOptions.Lookback"/>, but never after the oldest call that was still going (queued,
/// ringing, in-progress): it is read again until it has ended. Only inbound parent calls with a final
/// status become contacts; re-reading one changes nothing (the upsert compares <c>date_updated</c>).
/// </summary>
public sealed class TwilioCallSource(HttpClient http, IOptions<TwilioOptions> options, TimeProvider time) : IContactSource
{
    public const string Name = "twilio";

    public string Source => Name;

    public string CursorKey => Name;

    /// <param name="Since">The listing's <c>StartTime&gt;=</c>.</param>
    /// <param name="NextPageUri">The page to read next within the listing; null = start a listing.</param>
    /// <param name="ListingStartedAt">When the current listing began.</param>
    /// <param name="OldestOpen">The start of the oldest call still going seen in this listing.</param>
    private sealed record Cursor(DateTimeOffset Since, string? NextPageUri = null, DateTimeOffset? ListingStartedAt = null, DateTimeOffset? OldestOpen = null);

    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(since), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var state = cursor is null
            ? new Cursor(o.StartFrom ?? time.GetUtcNow().AddDays(-30))
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        if (state.NextPageUri is null)
            state = state with { ListingStartedAt = time.GetUtcNow(), OldestOpen = null };

        var uri = state.NextPageUri is { } next
            ? next.TrimStart('/')
            : $"2010-04-01/Accounts/{Uri.EscapeDataString(o.AccountSid)}/Calls.json?StartTime%3E={Uri.EscapeDataString(Iso(state.Since))}&PageSize={o.PageSize.ToString(CultureInfo.InvariantCulture)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var page = await http.SendJsonAsync<TwilioCallPage>(Name, request, ct);
        var calls = (page.Calls ?? []).Where(TwilioMapping.IsInboundParent).ToList();

        var contacts = new List<Contact>();
        var oldestOpen = state.OldestOpen;
        foreach (var call in calls)
        {
            if (TwilioMapping.IsFinal(call.Status))
            {
                contacts.Add(TwilioMapping.ToContact(call));
                continue;
            }
            var began = TwilioMapping.Time(call.StartTime, "start_time", call.Sid) ?? TwilioMapping.Time(call.DateCreated, "date_created", call.Sid);
            if (began is { } b && (oldestOpen is null || b < oldestOpen))
                oldestOpen = b;
        }

        if (!string.IsNullOrEmpty(page.NextPageUri))
            return SourcePage.Of(contacts, Serialize(state with { NextPageUri = page.NextPageUri, OldestOpen = oldestOpen }), caughtUp: false);

        // Listing done: the next starts a little before this one began, and not after a call still going.
        var since = state.ListingStartedAt!.Value - o.Lookback;
        if (oldestOpen is { } open && open < since)
            since = open;
        if (since < state.Since)
            since = state.Since;
        return SourcePage.Of(contacts, Serialize(new Cursor(since)), caughtUp: true);
    }

    private static string Serialize(Cursor c) => JsonSerializer.Serialize(c, SourceHttp.Json);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

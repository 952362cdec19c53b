using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Otrs;

/// <summary>The GenericInterface session shared by the polls (a login per poll would fill OTRS's session table).</summary>
public sealed class OtrsSession
{
    internal string? Id { get; set; }
}

/// <summary>
/// OTRS / Znuny GenericTicketConnectorREST: <c>POST Session</c> (made again when an operation answers
/// <c>*.AuthFail</c>: the session expired), <c>GET Ticket</c> (TicketSearch by
/// <c>TicketLastChangeTimeNewerDate</c>, oldest change first) and <c>GET Ticket/1,2,3?Extended=1</c>
/// (TicketGet, batched). TicketSearch has no offset, so the cursor is keyset-like: the newest change
/// time read plus the ids already read at exactly that second, so a second with more tickets than a
/// page still moves on and an id read before but changed since is read again.
/// </summary>
public sealed class OtrsTicketSource(HttpClient http, IOptions<OtrsOptions> options, OtrsSession session, TimeProvider time, ILogger<OtrsTicketSource> logger) : IContactSource
{
    public const string Name = "otrs";

    public string Source => Name;

    public string CursorKey => Name;

    private sealed record Cursor(DateTimeOffset Since, List<long> Seen);

    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(since, []), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var zone = o.Zone;
        var state = cursor is null
            ? new Cursor(o.StartFrom ?? time.GetUtcNow().AddDays(-30), [])
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        var limit = o.PageSize + state.Seen.Count;
        var search = await CallAsync<OtrsSearchReply>(sid =>
            $"Ticket?SessionID={Uri.EscapeDataString(sid)}&TicketLastChangeTimeNewerDate={Uri.EscapeDataString(OtrsMapping.Format(state.Since, zone))}&SortBy=Changed&OrderBy=Up&Limit={limit.ToString(CultureInfo.InvariantCulture)}",
            r => r.Error, ct);
        var ids = (search.TicketID ?? []).Select(id => id.ValueKind == JsonValueKind.Number ? id.GetInt64() : long.Parse(id.GetString()!, CultureInfo.InvariantCulture)).ToList();

        var tickets = new List<OtrsTicket>();
        foreach (var batch in ids.Chunk(o.BatchSize))
        {
            var list = string.Join(',', batch.Select(id => id.ToString(CultureInfo.InvariantCulture)));
            var got = await CallAsync<OtrsGetReply>(sid => $"Ticket/{list}?SessionID={Uri.EscapeDataString(sid)}&Extended=1&DynamicField=1", r => r.Error, ct);
            tickets.AddRange(got.Ticket ?? throw new SourceException(Name, "malformed", "TicketGet answer without a Ticket array"));
        }
        var rows = tickets.Select(t => (Ticket: t, Changed: OtrsMapping.Time(t.Changed, zone) ?? throw new SourceException(Name, "malformed", $"ticket {t.TicketID} without a Changed time")))
            .Where(x => !(x.Changed == state.Since && state.Seen.Contains(x.Ticket.TicketID)))
            .ToList();
        var contacts = rows.Select(x => ToContact(x.Ticket, x.Changed, o, zone)).ToList();

        var newest = rows.Count == 0 ? state.Since : rows.Max(x => x.Changed);
        var atNewest = rows.Where(x => x.Changed == newest).Select(x => x.Ticket.TicketID);
        var next = newest > state.Since ? new Cursor(newest, atNewest.ToList()) : new Cursor(state.Since, state.Seen.Concat(atNewest).Distinct().ToList());
        return SourcePage.Of(contacts, JsonSerializer.Serialize(next, SourceHttp.Json), caughtUp: ids.Count < limit);
    }

    /// <summary>Calls an operation with the session, logging in first if there is none and once more if it expired.</summary>
    private async Task<T> CallAsync<T>(Func<string, string> url, Func<T, OtrsError?> error, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var sid = session.Id ??= await LoginAsync(ct);
            using var request = new HttpRequestMessage(HttpMethod.Get, url(sid));
            var reply = await http.SendJsonAsync<T>(Name, request, ct);
            if (error(reply) is not { } e)
                return reply;
            if (attempt == 0 && e.ErrorCode?.EndsWith(".AuthFail", StringComparison.Ordinal) == true)
            {
                logger.LogInformation("OTRS session expired ({Code}); logging in again", e.ErrorCode);
                session.Id = null;
                continue;
            }
            throw new SourceException(Name, "client_error", $"{e.ErrorCode}: {e.ErrorMessage}");
        }
    }

    private async Task<string> LoginAsync(CancellationToken ct)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "Session")
        {
            // OTRS's parameter names are case-sensitive: no camel-casing.
            Content = JsonContent.Create(new Dictionary<string, string> { ["UserLogin"] = o.User, ["Password"] = o.Password }),
        };
        var reply = await http.SendJsonAsync<OtrsSessionReply>(Name, request, ct);
        return reply.SessionID is { Length: > 0 } sid
            ? sid
            : throw new SourceException(Name, "client_error", $"login as {o.User} refused: {reply.Error?.ErrorCode} {reply.Error?.ErrorMessage}");
    }

    private static Contact ToContact(OtrsTicket t, DateTimeOffset changed, OtrsOptions o, TimeZoneInfo zone)
    {
        var tags = OtrsMapping.Tags(t);
        var (breached, remaining) = OtrsMapping.Sla(t);
        var solved = OtrsMapping.Status(t.State, t.StateType) is Statuses.Solved or Statuses.Closed ? OtrsMapping.Time(t.Closed, zone) : null;
        return new Contact
        {
            Source = Name,
            // The ticket number agents quote, not the internal TicketID.
            ExternalId = t.TicketNumber ?? t.TicketID.ToString(CultureInfo.InvariantCulture),
            Channel = o.MapChannel(tags) ?? o.DefaultChannel,
            Priority = OtrsMapping.Priority(t.Priority),
            Status = OtrsMapping.Status(t.State, t.StateType),
            Queue = t.Queue,
            CreatedAt = OtrsMapping.Time(t.Created, zone) ?? throw new SourceException(Name, "malformed", $"ticket {t.TicketID} without a Created time"),
            FirstResponseAt = OtrsMapping.Time(t.FirstResponse, zone),
            // Working minutes on the SLA's (or queue's) calendar.
            FirstResponseBusinessSeconds = t.FirstResponseInMin * 60,
            SolvedAt = solved,
            SlaBreached = breached,
            SlaRemainingSeconds = remaining,
            EscalatedToTech = o.HasAny(tags, o.TechEscalationTags),
            EscalatedAgentError = o.HasAny(tags, o.AgentErrorTags),
            SourceUpdatedAt = changed,
        };
    }
}

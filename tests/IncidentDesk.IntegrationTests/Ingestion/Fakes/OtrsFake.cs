using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>
/// Znuny's GenericTicketConnectorREST web service (<c>webservices/GenericTicketConnectorREST.yml</c>):
/// <c>POST /Session</c> {UserLogin, Password} → {SessionID}; <c>GET /Ticket</c> (TicketSearch:
/// <c>TicketLastChangeTimeNewerDate</c> inclusive, <c>SortBy=Changed</c>, <c>OrderBy=Up</c>, <c>Limit</c>)
/// → {TicketID: ["1", …]} or {} when none; <c>GET /Ticket/1,2</c> (TicketGet, <c>Extended=1</c> adds
/// FirstResponse, FirstResponseInMin, FirstResponseDiffInMin, Closed; <c>DynamicField=1</c> the dynamic
/// fields) → {Ticket: [...]}. Errors are HTTP 200 with {Error: {ErrorCode, ErrorMessage}}, e.g.
/// <c>TicketSearch.AuthFail</c> for an expired session. Numbers are strings and dates local, as OTRS writes them.
/// </summary>
public sealed class OtrsFake : IAsyncDisposable
{
    public const string User = "incidentdesk";
    public const string Password = "otrs-secret";
    public const string WebService = "otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST/";

    private readonly Dictionary<long, FakeTicket> tickets = [];
    private readonly HashSet<string> sessions = [];
    private readonly Lock gate = new();

    public FakeHttpServer Server { get; private set; } = null!;

    public int SessionsCreated { get; private set; }

    /// <summary>TicketGet calls and the ids each asked for.</summary>
    public List<string> Gets { get; } = [];

    /// <summary>
    /// One ticket, dates in the server's zone (UTC here). <paramref name="FirstResponseAfter"/> answered;
    /// <paramref name="DiffMinutes"/> the margin against the SLA; <paramref name="Escalated"/> the flag while unanswered.
    /// </summary>
    public sealed record FakeTicket(
        long Id, DateTimeOffset Created, DateTimeOffset Changed, string State, string StateType, string Priority, string Queue,
        TimeSpan? FirstResponseAfter = null, int? WorkingMinutes = null, int? DiffMinutes = null, bool? Escalated = null,
        DateTimeOffset? Closed = null, string? EscalationField = null);

    public static async Task<OtrsFake> StartAsync()
    {
        var fake = new OtrsFake();
        fake.Server = await FakeHttpServer.StartAsync(app =>
        {
            app.MapPost("/" + WebService + "Session", fake.CreateSession);
            app.MapGet("/" + WebService + "Ticket", (HttpRequest r) => fake.Search(r));
            app.MapGet("/" + WebService + "Ticket/{ids}", (HttpRequest r, string ids) => fake.Get(r, ids));
        });
        return fake;
    }

    public Dictionary<string, string?> Settings(string prefix = "Ticketing:Otrs:") => new()
    {
        [prefix + "BaseUrl"] = Server.BaseAddress + WebService,
        [prefix + "User"] = User,
        [prefix + "Password"] = Password,
        [prefix + "PollInterval"] = "00:00:01",
        [prefix + "RequestTimeout"] = "00:00:01",
        [prefix + "RetryDelay"] = "00:00:00.050",
        [prefix + "StartFrom"] = "2026-11-01T00:00:00Z",
    };

    public void Put(IEnumerable<FakeTicket> items)
    {
        lock (gate)
        {
            foreach (var t in items)
                tickets[t.Id] = t;
        }
    }

    /// <summary>Ends every session, as OTRS does after <c>SessionMaxIdleTime</c>.</summary>
    public void ExpireSessions()
    {
        lock (gate)
            sessions.Clear();
    }

    private async Task<IResult> CreateSession(HttpRequest request)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
        if ((string?)body?["UserLogin"] != User || (string?)body?["Password"] != Password)
            return Error("SessionCreate.AuthFail", "SessionCreate: Authorization failing!");
        var sid = Guid.NewGuid().ToString("N");
        lock (gate)
        {
            sessions.Add(sid);
            SessionsCreated++;
        }
        return Results.Json(new { SessionID = sid });
    }

    private bool Valid(HttpRequest r)
    {
        lock (gate)
            return sessions.Contains(r.Query["SessionID"].ToString());
    }

    private IResult Search(HttpRequest r)
    {
        if (!Valid(r))
            return Error("TicketSearch.AuthFail", "TicketSearch: Authorization failing!");
        var since = DateTime.ParseExact(r.Query["TicketLastChangeTimeNewerDate"].ToString(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var limit = int.TryParse(r.Query["Limit"], out var l) ? l : 10000;
        List<FakeTicket> found;
        lock (gate)
            found = tickets.Values.Where(t => t.Changed.UtcDateTime >= since).OrderBy(t => t.Changed).ThenByDescending(t => t.Id).Take(limit).ToList();
        if (r.Query["OrderBy"] != "Up")
            found.Reverse();
        if (found.Count == 0)
            return Results.Json(new { });
        return Results.Json(new { TicketID = found.Select(t => t.Id.ToString(CultureInfo.InvariantCulture)).ToList() });
    }

    private IResult Get(HttpRequest r, string ids)
    {
        if (!Valid(r))
            return Error("TicketGet.AuthFail", "TicketGet: Authorization failing!");
        var extended = r.Query["Extended"] == "1";
        var dynamic = r.Query["DynamicField"] == "1";
        lock (gate)
        {
            Gets.Add(ids);
            var list = ids.Split(',').Select(long.Parse).Select(id => tickets.GetValueOrDefault(id)).ToList();
            if (list.Any(t => t is null))
                return Error("TicketGet.AccessDenied", "TicketGet: User does not have access to the ticket!");
            return Results.Text(new JsonObject { ["Ticket"] = new JsonArray(list.Select(t => (JsonNode)TicketJson(t!, extended, dynamic)).ToArray<JsonNode?>()) }.ToJsonString(), "application/json");
        }
    }

    private static JsonObject TicketJson(FakeTicket t, bool extended, bool dynamic)
    {
        var json = new JsonObject
        {
            ["TicketID"] = t.Id.ToString(CultureInfo.InvariantCulture),
            ["TicketNumber"] = (2026120110000000 + t.Id).ToString(CultureInfo.InvariantCulture),
            ["Title"] = "Password reset for Jane Customer",
            ["CustomerUserID"] = "jane.customer@example.com",
            ["CustomerID"] = "ACME",
            ["Owner"] = "agent.smith",
            ["Responsible"] = "root@localhost",
            ["State"] = t.State,
            ["StateType"] = t.StateType,
            ["Priority"] = t.Priority,
            ["PriorityID"] = t.Priority[..1],
            ["Queue"] = t.Queue,
            ["QueueID"] = "2",
            ["Type"] = "Unclassified",
            ["Lock"] = "unlock",
            ["SLA"] = "Standard",
            ["Created"] = Local(t.Created),
            ["Changed"] = Local(t.Changed),
            ["UnlockTimeout"] = "0",
            ["EscalationTime"] = "0",
            ["ArchiveFlag"] = "n",
        };
        if (t.FirstResponseAfter is null && t.Escalated is { } escalated)
        {
            // Present only while the first-response escalation is running.
            json["FirstResponseTimeEscalation"] = escalated ? 1 : 0;
            json["FirstResponseTime"] = escalated ? "-600" : "1200";
            json["FirstResponseTimeDestinationDate"] = Local(t.Created.AddHours(1));
            json["FirstResponseTimeWorkingTime"] = escalated ? "-600" : "1200";
        }
        if (extended)
        {
            if (t.FirstResponseAfter is { } after)
            {
                json["FirstResponse"] = Local(t.Created + after);
                json["FirstResponseInMin"] = (t.WorkingMinutes ?? (int)after.TotalMinutes).ToString(CultureInfo.InvariantCulture);
                if (t.DiffMinutes is { } diff)
                    json["FirstResponseDiffInMin"] = diff.ToString(CultureInfo.InvariantCulture);
            }
            if (t.Closed is { } closed)
                json["Closed"] = Local(closed);
            json["FirstLock"] = Local(t.Created.AddMinutes(1));
        }
        if (dynamic)
        {
            json["DynamicField"] = new JsonArray(
                new JsonObject { ["Name"] = "EscalatedToTech", ["Value"] = t.EscalationField is null ? null : new JsonArray(t.EscalationField) },
                new JsonObject { ["Name"] = "CustomerPhone", ["Value"] = "+49 30 1234567" });
        }
        return json;
    }

    private static IResult Error(string code, string message) => Results.Json(new { Error = new { ErrorCode = code, ErrorMessage = message } });

    private static string Local(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

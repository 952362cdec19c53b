using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace IncidentDesk.Cli;

/// <summary>The client verbs (<c>oncall</c>, <c>incidents</c>, <c>ack</c>): they talk to a running service over its HTTP API.</summary>
internal static class ClientCommands
{
    public const string ApiKeyVariable = "INCIDENTDESK_API_KEY";

    public static IEnumerable<Command> All() => [OnCall(), Incidents(), Ack()];

    private static readonly Option<string> Url = new("--url") { Description = "The service's address", DefaultValueFactory = _ => "http://127.0.0.1:8080", Recursive = false };

    private static readonly Option<string?> ApiKey = new("--api-key") { Description = $"API key (default: the {ApiKeyVariable} environment variable)" };

    private static Command OnCall()
    {
        var at = new Option<string?>("--at") { Description = "A time, e.g. 2026-12-24T09:00:00Z or 2026-12-24T09:00+01:00 (default: now)" };
        var command = new Command("oncall", "Who is on duty: the shift, its lead and agents, and the escalation chain.") { at, Url, ApiKey };
        command.SetAction((result, ct) => Run(result, async client =>
        {
            var query = result.GetValue(at) is { } when ? "?at=" + Uri.EscapeDataString(when) : "";
            var duty = await GetAsync(client, "api/v1/oncall" + query, ct);
            if (duty is not { } d)
                return 1;
            var shift = d.GetProperty("shift");
            Console.WriteLine($"{d.GetProperty("at").GetDateTimeOffset():u} ({d.GetProperty("timeZone").GetString()})");
            Console.WriteLine($"shift   {shift.GetProperty("name").GetString()}  {shift.GetProperty("startsAt").GetDateTimeOffset():u} – {shift.GetProperty("endsAt").GetDateTimeOffset():u}");
            Console.WriteLine($"lead    {PersonLine(d.GetProperty("lead"))}");
            foreach (var agent in d.GetProperty("agents").EnumerateArray())
                Console.WriteLine($"agent   {PersonLine(agent)}");
            foreach (var o in d.GetProperty("overrides").EnumerateArray())
                Console.WriteLine($"override {o.GetString()}");
            foreach (var level in d.GetProperty("escalation").EnumerateArray())
                Console.WriteLine($"level {level.GetProperty("level").GetInt32()} {string.Join(", ", level.GetProperty("people").EnumerateArray().Select(p => p.GetProperty("id").GetString()))}");
            return 0;
        }));
        return command;
    }

    private static Command Incidents()
    {
        var status = new Option<string?>("--status") { Description = "open, triggered, acknowledged, mitigating, resolved or reviewed (default: all)" };
        var command = new Command("incidents", "List incidents, newest first.") { status, Url, ApiKey };
        command.SetAction((result, ct) => Run(result, async client =>
        {
            var query = result.GetValue(status) is { } s ? "?status=" + Uri.EscapeDataString(s) : "";
            if (await GetAsync(client, "api/v1/incidents" + query, ct) is not { } list)
                return 1;
            Console.WriteLine($"{"ID",6}  {"STATUS",-12}  {"SEVERITY",-8}  {"OPENED (UTC)",-20}  TITLE");
            foreach (var i in list.EnumerateArray())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{i.GetProperty("id").GetInt64(),6}  {i.GetProperty("status").GetString(),-12}  {i.GetProperty("severity").GetString(),-8}  {i.GetProperty("openedAt").GetDateTimeOffset().UtcDateTime,-20:yyyy-MM-dd HH:mm:ss}  {i.GetProperty("title").GetString()}"));
            }
            return 0;
        }));
        return command;
    }

    private static Command Ack()
    {
        var incident = new Argument<long>("INCIDENT") { Description = "The incident id" };
        var by = new Option<string>("--by") { Description = "Who acknowledges (a person id from oncall.yaml)", Required = true };
        var command = new Command("ack", "Acknowledge an incident: stops its pages and escalation.") { incident, by, Url, ApiKey };
        command.SetAction((result, ct) => Run(result, async client =>
        {
            var id = result.GetValue(incident);
            using var response = await client.PostAsJsonAsync($"api/v1/incidents/{id}/ack", new { by = result.GetValue(by) }, ct);
            if (!response.IsSuccessStatusCode)
                return await FailAsync(response, ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Console.WriteLine(body.TryGetProperty("unchanged", out _) ? $"incident {id} was already acknowledged" : $"incident {id} acknowledged");
            return 0;
        }));
        return command;
    }

    private static async Task<int> Run(ParseResult result, Func<HttpClient, Task<int>> verb)
    {
        var key = result.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(key))
        {
            await Console.Error.WriteLineAsync($"incidentdesk: no API key: pass --api-key or set {ApiKeyVariable}");
            return 2;
        }
        var url = result.GetValue(Url)!;
        using var client = new HttpClient { BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            return await verb(client);
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"incidentdesk: cannot reach {url}: {e.Message}");
            return 2;
        }
    }

    private static async Task<JsonElement?> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
        {
            await FailAsync(response, ct);
            return null;
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static async Task<int> FailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var detail = await response.Content.ReadAsStringAsync(ct);
        try
        {
            detail = JsonDocument.Parse(detail).RootElement.GetProperty("detail").GetString() ?? detail;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // not problem+json: show the body as it is
        }
        await Console.Error.WriteLineAsync($"incidentdesk: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        return 1;
    }

    private static string PersonLine(JsonElement p) =>
        $"{p.GetProperty("id").GetString(),-8} {p.GetProperty("name").GetString()}  slack {p.GetProperty("slack").GetString() ?? "-"}  {p.GetProperty("email").GetString() ?? ""}";
}

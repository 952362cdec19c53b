using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace IncidentDesk.Runbooks;

/// <summary>Client verbs for runbooks and reviews; they talk to the running service's HTTP API.</summary>
internal static class RunbookCommands
{
    public static IEnumerable<Command> All() => [Step(), Review()];

    private static Option<string> UrlOption() => new("--url") { Description = "The service's address", DefaultValueFactory = _ => "http://127.0.0.1:8080" };

    private static Option<string?> KeyOption() => new("--api-key") { Description = "API key (default: the INCIDENTDESK_API_KEY environment variable)" };

    public static Command Step()
    {
        var incident = new Argument<long>("incident") { Description = "The incident id" };
        var step = new Argument<string>("step") { Description = "The step id, as the incident's runbook names it" };
        var done = new Option<bool>("--done") { Description = "Mark the step done" };
        var by = new Option<string?>("--by") { Description = "Who did it (default: the API key's name)" };
        var url = UrlOption();
        var key = KeyOption();
        var command = new Command("step", "Complete a runbook step of an incident.") { incident, step, done, by, url, key };
        command.SetAction(async (result, ct) =>
        {
            if (!result.GetValue(done))
            {
                await Console.Error.WriteLineAsync("step: say --done to complete the step");
                return 2;
            }
            using var http = Client(result.GetValue(url)!, result.GetValue(key));
            using var response = await http.PostAsJsonAsync(
                $"api/v1/incidents/{result.GetValue(incident)}/steps/{Uri.EscapeDataString(result.GetValue(step)!)}/complete",
                new { by = result.GetValue(by) }, ct);
            return await Report(response, ct);
        });
        return command;
    }

    public static Command Review()
    {
        var incident = new Argument<long>("incident") { Description = "The incident id" };
        var url = UrlOption();
        var key = KeyOption();
        var command = new Command("review", "Print the post-incident review of an incident as Markdown.") { incident, url, key };
        command.SetAction(async (result, ct) =>
        {
            using var http = Client(result.GetValue(url)!, result.GetValue(key));
            using var response = await http.GetAsync($"api/v1/incidents/{result.GetValue(incident)}/review", ct);
            if (!response.IsSuccessStatusCode)
                return await Report(response, ct);
            Console.Write(await response.Content.ReadAsStringAsync(ct));
            return 0;
        });
        return command;
    }

    private static HttpClient Client(string url, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var key = apiKey ?? Environment.GetEnvironmentVariable("INCIDENTDESK_API_KEY");
        if (!string.IsNullOrEmpty(key))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Prints the answer; exit 0 on success, 1 when the service refused (the problem's detail on stderr).</summary>
    private static async Task<int> Report(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            Console.WriteLine(body);
            return 0;
        }
        await Console.Error.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}: {body}");
        return 1;
    }
}

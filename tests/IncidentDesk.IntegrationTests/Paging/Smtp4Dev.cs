using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>
/// A real smtp4dev (the local dotnet tool from .config/dotnet-tools.json) on free ports, started once per test run
/// and shared; tests tell their mail apart by recipient addresses of their own. Mail is read back over its HTTP API.
/// </summary>
#pragma warning disable CA1001 // one shared instance for the whole run; its HttpClient lives as long as the process
public sealed class Smtp4Dev
#pragma warning restore CA1001
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Smtp4Dev? shared;
    private readonly HttpClient http;

    private Smtp4Dev(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }

    public sealed record Mail(string Id, string To, string Subject, string MessageId, string Text, string? Html);

    public static async Task<Smtp4Dev> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return shared ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<Smtp4Dev> StartAsync()
    {
        var smtp = LocalPostgresCluster.FreePort();
        var web = LocalPostgresCluster.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "tool", "run", "smtp4dev", "--nousersettings", "--db=", "--messagestokeep=1000000", "--sessionstokeep=10", "--bindaddress=127.0.0.1", $"--smtpport={smtp}",
            $"--imapport={LocalPostgresCluster.FreePort()}", $"--pop3port={LocalPostgresCluster.FreePort()}", $"--urls=http://127.0.0.1:{web}",
        })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start smtp4dev (dotnet tool restore?)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        };
        var server = new Smtp4Dev(smtp, web);
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"smtp4dev exited with {process.ExitCode}");
            try
            {
                return (await server.http.GetAsync("api/messages")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(60), "smtp4dev ready");
        return server;
    }

    /// <summary>Every message to one of <paramref name="recipients"/> (case-insensitive), with headers and bodies.</summary>
    public async Task<IReadOnlyList<Mail>> MailToAsync(params string[] recipients)
    {
        var list = await http.GetFromJsonAsync<JsonElement>("api/messages?pageSize=100000");
        var mails = new List<Mail>();
        foreach (var item in list.GetProperty("results").EnumerateArray())
        {
            var to = item.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList();
            var match = to.FirstOrDefault(t => recipients.Any(r => string.Equals(r, t, StringComparison.OrdinalIgnoreCase)));
            if (match is null)
                continue;
            var id = item.GetProperty("id").GetString()!;
            var detail = await http.GetFromJsonAsync<JsonElement>($"api/messages/{id}");
            var messageId = detail.GetProperty("headers").EnumerateArray()
                .First(h => string.Equals(h.GetProperty("name").GetString(), "Message-ID", StringComparison.OrdinalIgnoreCase))
                .GetProperty("value").GetString()!.Trim('<', '>');
            var text = await http.GetStringAsync($"api/messages/{id}/plaintext");
            string? html = null;
            if (detail.TryGetProperty("hasHtmlBody", out var hasHtml) && hasHtml.GetBoolean())
                html = await http.GetStringAsync($"api/messages/{id}/html");
            mails.Add(new Mail(id, match, item.GetProperty("subject").GetString()!, messageId, text, html));
        }
        return mails;
    }

    /// <summary>Just the Message-IDs of mail to the recipients (cheap: headers only).</summary>
    public async Task<IReadOnlyList<string>> MessageIdsToAsync(ISet<string> recipients)
    {
        var list = await http.GetFromJsonAsync<JsonElement>("api/messages?pageSize=100000");
        var ids = new List<string>();
        foreach (var item in list.GetProperty("results").EnumerateArray())
        {
            if (!item.GetProperty("to").EnumerateArray().Any(t => recipients.Contains(t.GetString()!)))
                continue;
            var detail = await http.GetFromJsonAsync<JsonElement>($"api/messages/{item.GetProperty("id").GetString()}");
            ids.Add(detail.GetProperty("headers").EnumerateArray()
                .First(h => string.Equals(h.GetProperty("name").GetString(), "Message-ID", StringComparison.OrdinalIgnoreCase))
                .GetProperty("value").GetString()!.Trim('<', '>'));
        }
        return ids;
    }
}

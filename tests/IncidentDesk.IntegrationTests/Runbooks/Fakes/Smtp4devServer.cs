using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IncidentDesk.IntegrationTests.Infrastructure;
using MimeKit;

namespace IncidentDesk.IntegrationTests.Runbooks.Fakes;

/// <summary>
/// A real SMTP server to mail into: smtp4dev 3.15.0 from the repository's tool manifest (<c>dotnet tool restore</c>),
/// started on free ports with an in-memory database; messages are read back over its <c>/api/messages</c>.
/// </summary>
public sealed class Smtp4devServer : IAsyncLifetime, IDisposable
{
    private Process? process;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public int SmtpPort { get; } = LocalPostgresCluster.FreePort();

    private int WebPort { get; } = LocalPostgresCluster.FreePort();

    public async Task InitializeAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "tool", "run", "smtp4dev", "--nousersettings", "--db=", "--bindaddress=127.0.0.1", $"--smtpport={SmtpPort}",
                     $"--imapport={LocalPostgresCluster.FreePort()}", $"--pop3port={LocalPostgresCluster.FreePort()}", $"--urls=http://127.0.0.1:{WebPort}",
                 })
            info.ArgumentList.Add(arg);
        process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        http.BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/");
        await Eventually.Until(async () =>
        {
            try
            {
                return (await http.GetAsync("api/messages")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(60), "smtp4dev answering");
    }

    /// <summary>Every message received, parsed from its raw source.</summary>
    public async Task<IReadOnlyList<MimeMessage>> MessagesAsync()
    {
        var page = await http.GetFromJsonAsync<JsonObject>("api/messages?pageSize=1000");
        var list = new List<MimeMessage>();
        foreach (var item in page!["results"]!.AsArray())
        {
            await using var raw = await http.GetStreamAsync($"api/messages/{item!["id"]}/raw");
            list.Add(await MimeMessage.LoadAsync(raw));
        }
        return list;
    }

    public void Dispose() => http.Dispose();

    public async Task DisposeAsync()
    {
        http.Dispose();
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
    }
}

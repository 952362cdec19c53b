using System.Diagnostics;
using System.Text;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>
/// A real server from the Debian packages (prometheus, prometheus-alertmanager) on a free loopback port, with its
/// own temporary folder, killed and cleaned up on dispose. Its output is kept for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process, string folder, int port)
    {
        this.process = process;
        Folder = folder;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Folder { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (output)
                return output.ToString();
        }
    }

    /// <summary>Writes <paramref name="config"/> (given the folder and port) into a temp folder and starts the server with <paramref name="args"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string file, string configName, Func<string, int, string> config, Func<string, int, IEnumerable<string>> args, string readyPath)
    {
        var folder = Directory.CreateTempSubdirectory("incidentdesk-" + Path.GetFileName(file) + "-").FullName;
        var port = LocalPostgresCluster.FreePort();
        await File.WriteAllTextAsync(Path.Combine(folder, configName), config(folder, port));
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var arg in args(folder, port))
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed ({e.Message}); run `make deps` (scripts/install-deps.sh)", e);
        }
        var server = new ServerProcess(process, folder, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.Until(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"{file} exited with {process.ExitCode}:\n{server.Output}");
                try
                {
                    return (await http.GetAsync(readyPath)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, ready => ready, TimeSpan.FromSeconds(30), $"{file} ready on port {port}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public HttpClient Client() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

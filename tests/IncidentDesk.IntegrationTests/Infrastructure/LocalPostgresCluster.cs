using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL cluster of the test's own (initdb in a temp folder, run as the postgres user),
/// for tests that stop and start the database under a running service without disturbing other tests.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private readonly string bin;
    private readonly string dataDir;

    private LocalPostgresCluster(string bin, string dataDir, int port)
    {
        this.bin = bin;
        this.dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3";

    public static async Task<LocalPostgresCluster> CreateAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Order().LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql");
        var dataDir = Path.Combine(Path.GetTempPath(), "incidentdesk-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        await RunAsync("chown", "postgres:postgres", dataDir);
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(bin, "initdb"), "-A", "trust", "-U", "postgres", "-D", dataDir);
        var cluster = new LocalPostgresCluster(bin, dataDir, FreePort());
        await cluster.StartAsync();
        return cluster;
    }

    public Task StartAsync() => RunAsync("runuser", "-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", dataDir, "-l", Path.Combine(dataDir, "log"), "-w",
        "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off", "start");

    /// <summary>Stops the server the hard way (immediate: clients see their connections dropped).</summary>
    public Task StopAsync() => RunAsync("runuser", "-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", dataDir, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        Directory.Delete(dataDir, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
    }
}

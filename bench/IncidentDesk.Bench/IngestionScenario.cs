using System.Diagnostics;
using System.Globalization;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using IncidentDesk.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IncidentDesk.Bench;

/// <summary>
/// 200,000 tickets from the Zendesk fake (export pages of 1000, metrics side-loaded) ingested by the
/// real executable (<c>incidentdesk backfill zendesk</c>) into PostgreSQL, against a raw binary COPY of
/// the same rows into the same table measured in the same run; the worker's peak memory is its VmHWM.
/// </summary>
public sealed class IngestionScenario : IScenario
{
    private const int Tickets = 200_000;

    public string Name => "ingestion zendesk";

    public async Task<ScenarioResult> RunAsync(string serverConnectionString)
    {
        await using var database = await BenchDatabase.CreateAsync(serverConnectionString);
        var cs = database.ConnectionString;
        await using var dataSource = StorageExtensions.CreateDataSource(cs);
        await new Migrator(dataSource, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None);

        await using var fake = await ZendeskFake.StartAsync();
        fake.PageSize = 1000;
        var t0 = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        object[] channels = ["email", "web", "chat", "telegram", "native_messaging", 4, 29, 34];
        string[] statuses = ["new", "open", "pending", "hold", "solved", "closed"];
        string?[] priorities = ["low", "normal", "high", "urgent", null];
        fake.Add(Enumerable.Range(1, Tickets).Select(i => new ZendeskFake.FakeTicket(
            i, t0.AddSeconds(i * 60), t0.AddSeconds(i * 60 + 600), statuses[i % statuses.Length], priorities[i % priorities.Length],
            channels[i % channels.Length], i % 17 == 0 ? ["escalated_to_tech"] : [], i % 5 == 0 ? null : i % 240, i % 5 == 0 ? null : i % 120,
            i % 6 >= 4 ? t0.AddSeconds(i * 60 + 3000) : null)));
        fake.Prerender();

        var env = fake.Settings("Ticketing__Zendesk__");
        env["ConnectionStrings__IncidentDesk"] = cs;
        env["Logging__LogLevel__Default"] = "Warning";
        var (wall, firstRequest, peakBytes, exit) = await RunWorkerAsync(fake, env, t0.AddDays(-1));
        if (exit != 0)
            throw new InvalidOperationException($"backfill exited {exit}");
        long stored;
        await using (var c = await dataSource.OpenConnectionAsync())
            stored = (long)(await new NpgsqlCommand("SELECT count(*) FROM contacts", c).ExecuteScalarAsync())!;
        if (stored != Tickets)
            throw new InvalidOperationException($"{stored} contacts stored, expected {Tickets}");

        var copy = await RawCopyAsync(dataSource);
        var ingestSeconds = (wall - firstRequest).TotalSeconds;
        var ingestRate = Tickets / ingestSeconds;
        var copyRate = Tickets / copy.TotalSeconds;
        return new ScenarioResult(Name,
            $"{Tickets:N0} tickets from the Zendesk fake (incremental cursor export, pages of 1000 with metric_sets, HTTP over loopback) " +
            "ingested by `incidentdesk backfill zendesk` as a child process: fetch, parse, map, one unnest upsert per page with its cursor, the next page fetched while one is written. The fake's pages are rendered before the clock starts. " +
            "Baseline: a raw binary COPY of the same rows into the same (emptied) table, indexes included.",
            [
                ("worker wall time (process start to exit)", S(wall.TotalSeconds)),
                ("worker start-up (to its first request)", S(firstRequest.TotalSeconds)),
                ("ingest rate, start-up excluded", R(ingestRate)),
                ("ingest rate, end to end", R(Tickets / wall.TotalSeconds)),
                ("raw binary COPY of the same rows", $"{S(copy.TotalSeconds)} ({R(copyRate)})"),
                ("ingest / COPY (target >= 50 %)", (ingestRate / copyRate).ToString("P0", CultureInfo.InvariantCulture)),
                ("worker peak memory, VmHWM (target < 300 MB)", $"{peakBytes / 1024.0 / 1024.0:0} MB"),
            ],
            $"{ingestRate:N0} tickets/s = {ingestRate / copyRate:P0} of raw COPY; worker peak {peakBytes / 1024.0 / 1024.0:0} MB");
    }

    private static async Task<(TimeSpan Wall, TimeSpan FirstRequest, long PeakBytes, int Exit)> RunWorkerAsync(ZendeskFake fake, Dictionary<string, string?> env, DateTimeOffset since)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "incidentdesk.dll"));
        foreach (var a in new[] { "backfill", "zendesk", "--since", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            info.Environment[k] = v;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        TimeSpan? first = null;
        while (!process.HasExited)
        {
            first ??= fake.Server.Requests.IsEmpty ? null : watch.Elapsed;
            peak = Math.Max(peak, HighWaterMark(process.Id));
            await Task.Delay(50);
        }
        await process.WaitForExitAsync();
        var wall = watch.Elapsed;
        if (process.ExitCode != 0)
            Console.Error.WriteLine(await stdout + await stderr);
        return (wall, first ?? TimeSpan.Zero, peak, process.ExitCode);
    }

    /// <summary>VmHWM (peak resident set) of a live process, in bytes; 0 once it is gone.</summary>
    private static long HighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private const string Columns = """
        source, external_id, kind, channel, priority, status, queue, created_at, first_response_at, solved_at,
        first_response_business_seconds, on_hold_seconds, sla_breached, sla_paused, sla_remaining_seconds,
        escalated_to_tech, escalated_agent_error, wait_seconds, talk_seconds, answered, abandoned, agent, source_updated_at, ingested_at
        """;

    /// <summary>The rows just ingested, copied out, the table emptied, and the rows copied back in: the time of the COPY in.</summary>
    private static async Task<TimeSpan> RawCopyAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var buffer = new MemoryStream();
        await using (var output = await connection.BeginRawBinaryCopyAsync($"COPY contacts ({Columns}) TO STDOUT (FORMAT BINARY)"))
            await output.CopyToAsync(buffer);
        await new NpgsqlCommand("TRUNCATE contacts", connection).ExecuteNonQueryAsync();
        buffer.Position = 0;
        var watch = Stopwatch.StartNew();
        await using (var input = await connection.BeginRawBinaryCopyAsync($"COPY contacts ({Columns}) FROM STDIN (FORMAT BINARY)"))
            await buffer.CopyToAsync(input);
        return watch.Elapsed;
    }

    private static string S(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string R(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + " tickets/s";
}

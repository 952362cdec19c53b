using System.Diagnostics;

namespace IncidentDesk.Bench;

/// <summary>One measured scenario and what it found.</summary>
public sealed record ScenarioResult(string Name, string Description, IReadOnlyList<(string Measure, string Value)> Figures, string Summary);

public interface IScenario
{
    string Name { get; }

    Task<ScenarioResult> RunAsync(string serverConnectionString);
}

/// <summary>Every scenario `make bench` runs; capabilities add theirs here.</summary>
public static class Scenarios
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new ReadinessProbeScenario(),
        new IngestionScenario(),
        new PagingScenario(),
        new SlaScenario(),
    ];

    /// <summary>p50/p99 of a list of durations, in milliseconds.</summary>
    public static (double P50, double P99) Percentiles(List<TimeSpan> samples)
    {
        samples.Sort();
        return (samples[(int)(samples.Count * 0.50)].TotalMilliseconds, samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))].TotalMilliseconds);
    }

    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start);
    }
}

/// <summary>A database of the scenario's own on the benchmark server, created empty and dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string server;
    private readonly string name;

    private BenchDatabase(string server, string name)
    {
        this.server = server;
        this.name = name;
    }

    public string ConnectionString => new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var database = new BenchDatabase(server, "bench_" + Guid.NewGuid().ToString("N")[..8]);
        await database.AdminAsync($"CREATE DATABASE {database.name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private async Task AdminAsync(string sql)
    {
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}

using IncidentDesk.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh database per test class, created from the real migrations and dropped afterwards.
/// The server comes from <c>INCIDENTDESK_TEST_DB</c> (a connection string whose role may create databases).
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public static string ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable("INCIDENTDESK_TEST_DB")
        ?? "Host=127.0.0.1;Port=55432;Username=incidentdesk;Password=incidentdesk;Database=incidentdesk";

    private string? existing;

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString => existing ?? new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Name }.ConnectionString;

    /// <summary>A database that someone else created and migrated (e.g. on a <see cref="LocalPostgresCluster"/>).</summary>
    public static TestDatabase ForExisting(string connectionString) => new() { existing = connectionString };

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        DataSource = StorageExtensions.CreateDataSource(ConnectionString);
        await new Migrator(DataSource, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>True when the test server answers; probed once per test run.</summary>
    public static bool ServerAvailable => Available.Value;

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Timeout = 3 }.ConnectionString);
            connection.Open();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    });
}

/// <summary>
/// A test that needs PostgreSQL: skipped on a developer machine without one, but never under CI
/// (<c>CI</c> set), where a missing database must fail the run instead of hiding it.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = SkipReason;

    internal static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Why a PostgreSQL test is skipped here, or null to run it (always null under CI).</summary>
    internal static string? SkipReason => !IsCi && !TestDatabase.ServerAvailable
        ? "PostgreSQL not reachable at INCIDENTDESK_TEST_DB (run `make test`, which starts it)"
        : null;
}

/// <summary>The theory form of <see cref="PostgresFactAttribute"/>.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute() => Skip = PostgresFactAttribute.SkipReason;
}

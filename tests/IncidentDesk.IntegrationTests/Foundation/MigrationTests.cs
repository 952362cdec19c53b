using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IncidentDesk.IntegrationTests.Foundation;

public sealed class MigrationTests : IAsyncLifetime
{
    private readonly string name = "m_" + Guid.NewGuid().ToString("N")[..16];
    private string connectionString = "";

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await admin.ExecuteAsync($"CREATE DATABASE {name}");
        connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    [PostgresFact]
    public async Task Two_instances_migrating_at_once_apply_every_script_exactly_once()
    {
        await using var a = StorageExtensions.CreateDataSource(connectionString);
        await using var b = StorageExtensions.CreateDataSource(connectionString);
        var results = await Task.WhenAll(
            new Migrator(a, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None),
            new Migrator(b, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None));

        results.SelectMany(r => r).Should().BeEquivalentTo(Migrator.Scripts.Select(s => s.Name),
            "between them the two instances applied each script once");
        results.Should().Contain(r => r.Count == 0, "the instance that waited for the lock found nothing left to do");

        await using var connection = await a.OpenConnectionAsync();
        var recorded = await connection.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name");
        recorded.Should().Equal(Migrator.Scripts.Select(s => s.Name));
    }

    [PostgresFact]
    public async Task Migrations_create_the_quartz_job_store_tables()
    {
        await using var source = StorageExtensions.CreateDataSource(connectionString);
        await new Migrator(source, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None);
        await using var connection = await source.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'qrtz\\_%'")).ToList();
        tables.Should().HaveCount(15).And.Contain(["qrtz_triggers", "qrtz_job_details", "qrtz_scheduler_state", "qrtz_locks"]);
    }

    [PostgresFact]
    public async Task Rerunning_migrations_applies_nothing()
    {
        await using var source = StorageExtensions.CreateDataSource(connectionString);
        var migrator = new Migrator(source, NullLogger<Migrator>.Instance);
        (await migrator.ApplyAsync(CancellationToken.None)).Should().NotBeEmpty();
        (await migrator.ApplyAsync(CancellationToken.None)).Should().BeEmpty();
    }
}

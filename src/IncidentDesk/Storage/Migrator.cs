using System.Reflection;
using Dapper;
using Npgsql;

namespace IncidentDesk.Storage;

/// <summary>Applies the embedded <c>Storage/Migrations/*.sql</c> scripts in name order, each once.</summary>
public sealed class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    // Any constant shared by every instance; the value only has to be stable across releases.
    private const long MigrationLockKey = 0x1_1C1D_E5C0;
    private const string ResourcePrefix = "IncidentDesk.Migrations.";

    /// <summary>The embedded scripts, ordered by their file name (NNNN_name.sql).</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies what is missing and returns the names applied. Safe when several instances start at once.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // One transaction under one advisory lock: a second instance waits here, then sees every
        // script as applied. PostgreSQL DDL is transactional, so a failed script leaves nothing behind.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name       text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """, transaction: tx, cancellationToken: ct));
        var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM schema_migrations", transaction: tx, cancellationToken: ct))).ToHashSet();

        var done = new List<string>();
        foreach (var (name, sql) in Scripts.Where(s => !applied.Contains(s.Name)))
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
            }
            catch (PostgresException e)
            {
                throw new InvalidOperationException($"migration {name} failed: {e.MessageText}", e);
            }
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (name) VALUES (@name)", new { name }, tx, cancellationToken: ct));
            done.Add(name);
        }
        await tx.CommitAsync(ct);
        foreach (var name in done)
            logger.LogInformation("Applied migration {Migration}", name);
        return done;
    }

    private static List<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (n[ResourcePrefix.Length..^".sql".Length], reader.ReadToEnd());
            })
            .ToList();
    }
}

using Dapper;
using Npgsql;

namespace IncidentDesk.Storage;

/// <summary>Dapper on a pooled <see cref="NpgsqlDataSource"/> for single statements outside a transaction.</summary>
public static class DataSourceExtensions
{
    public static async Task<int> ExecuteAsync(this NpgsqlDataSource dataSource, CommandDefinition command)
    {
        await using var connection = await dataSource.OpenConnectionAsync(command.CancellationToken);
        return await connection.ExecuteAsync(command);
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this NpgsqlDataSource dataSource, CommandDefinition command)
    {
        await using var connection = await dataSource.OpenConnectionAsync(command.CancellationToken);
        return (await connection.QueryAsync<T>(command)).AsList();
    }

    public static async Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlDataSource dataSource, CommandDefinition command)
    {
        await using var connection = await dataSource.OpenConnectionAsync(command.CancellationToken);
        return await connection.QuerySingleOrDefaultAsync<T>(command);
    }
}

using IncidentDesk.Configuration;
using Npgsql;

namespace IncidentDesk.Storage;

public static class StorageExtensions
{
    public const string ConnectionStringName = "IncidentDesk";

    /// <summary>Registers the shared <see cref="NpgsqlDataSource"/> and the migrator.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>("Storage");
        services.AddSingleton(_ => CreateDataSource(ConnectionString(configuration)));
        services.AddSingleton<Migrator>();
        return services;
    }

    /// <summary>The configured connection string, or a configuration error naming the key.</summary>
    public static string ConnectionString(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(value))
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                "ConnectionStrings", typeof(string), [$"ConnectionStrings:{ConnectionStringName}: is required"]);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException e)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                "ConnectionStrings", typeof(string), [$"ConnectionStrings:{ConnectionStringName}: {e.Message}"]);
        }
        return value;
    }

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        DapperTypeHandlers.Register();
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "incidentdesk";
        return builder.Build();
    }
}

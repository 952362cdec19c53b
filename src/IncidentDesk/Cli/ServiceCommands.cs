using System.CommandLine;
using IncidentDesk.Configuration;
using IncidentDesk.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IncidentDesk.Cli;

/// <summary>The verbs that run in-process against the database: <c>serve</c>, <c>migrate</c>, <c>check</c>.</summary>
internal static class ServiceCommands
{
    public static Command Serve()
    {
        var command = new Command("serve", "Run the worker: Quartz jobs and the HTTP endpoints (the default verb).");
        command.SetAction((result, ct) => ServeAsync(result.UnmatchedTokens.ToArray(), ct));
        command.TreatUnmatchedTokensAsErrors = false;
        return command;
    }

    public static Command Migrate()
    {
        var command = new Command("migrate", "Apply the database migrations and exit.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, ct) => Run(async () =>
        {
            var app = IncidentDeskApp.Build(IncidentDeskApp.CreateBuilder(result.UnmatchedTokens.ToArray()));
            await using (app)
            {
                Preflight(app);
                var applied = await WaitForDatabaseAsync(app, ct);
                Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            }
            return 0;
        }));
        return command;
    }

    public static Command Check()
    {
        var command = new Command("check", "Validate the configuration and the files in alerts/, runbooks/ and dashboards/; print every problem as path:line: message.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, ct) => Run(async () =>
        {
            var app = IncidentDeskApp.Build(IncidentDeskApp.CreateBuilder(result.UnmatchedTokens.ToArray()));
            await using (app)
            {
                Preflight(app, checkFiles: false);
                var problems = app.Services.GetServices<ICheck>().SelectMany(c => c.Run()).ToList();
                foreach (var problem in problems)
                    Console.WriteLine(problem);
                Console.Error.WriteLine(problems.Count == 0 ? "check: no problems found" : $"check: {problems.Count} problem(s)");
                return problems.Count == 0 ? 0 : 1;
            }
        }));
        return command;
    }

    private static Task<int> ServeAsync(string[] args, CancellationToken ct) => Run(async () =>
    {
        var app = IncidentDeskApp.Build(IncidentDeskApp.CreateBuilder(args));
        await using (app)
        {
            Preflight(app);
            await WaitForDatabaseAsync(app, ct);
            await app.RunAsync(ct);
        }
        return 0;
    });

    /// <summary>Validates options and files before anything touches the database, so a bad value stops us with one line.</summary>
    private static void Preflight(WebApplication app, bool checkFiles = true)
    {
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        StorageExtensions.ConnectionString(app.Configuration);
        if (!checkFiles)
            return;
        var problems = app.Services.GetServices<ICheck>().SelectMany(c => c.Run()).ToList();
        if (problems.Count > 0)
            throw new StartupException(string.Join(Environment.NewLine, problems));
    }

    /// <summary>Applies migrations, retrying while the database is unreachable for up to <c>Storage:StartupTimeout</c>.</summary>
    private static async Task<IReadOnlyList<string>> WaitForDatabaseAsync(WebApplication app, CancellationToken ct)
    {
        var timeout = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.StartupTimeout;
        var time = app.Services.GetRequiredService<TimeProvider>();
        var migrator = app.Services.GetRequiredService<Migrator>();
        var logger = app.Services.GetRequiredService<ILogger<Migrator>>();
        var started = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                return await migrator.ApplyAsync(ct);
            }
            catch (Exception e) when (IsUnreachable(e))
            {
                var remaining = timeout - time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    var target = new NpgsqlConnectionStringBuilder(StorageExtensions.ConnectionString(app.Configuration));
                    throw new StartupException($"database: cannot reach {target.Host}:{target.Port}/{target.Database} after {timeout.TotalSeconds:0} s: {e.Message}");
                }
                logger.LogWarning("Database not reachable yet ({Error}); retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay < remaining ? delay : remaining, time, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private static bool IsUnreachable(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: "57P03" } => true, // the database system is starting up
        System.Net.Sockets.SocketException or TimeoutException => true,
        _ => e.InnerException is not null && IsUnreachable(e.InnerException),
    };

    /// <summary>Runs a verb and turns expected start-up failures into one line on stderr and exit code 2.</summary>
    internal static async Task<int> Run(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (StartupException e)
        {
            Console.Error.WriteLine($"incidentdesk: {e.Message}");
            return 2;
        }
        catch (Exception e) when (OptionsRegistration.Describe(e) is { } line)
        {
            Console.Error.WriteLine($"incidentdesk: {line}");
            return 2;
        }
        catch (PostgresException e)
        {
            Console.Error.WriteLine($"incidentdesk: database: {e.MessageText}");
            return 2;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("migration ", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"incidentdesk: {e.Message}");
            return 2;
        }
    }
}

/// <summary>A start-up failure whose message is the whole story for the operator.</summary>
internal sealed class StartupException(string message) : Exception(message);

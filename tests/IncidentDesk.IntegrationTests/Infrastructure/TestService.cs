using System.Net.Http.Headers;
using IncidentDesk.Storage;
using IncidentDesk.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>
/// The real service (Kestrel on a free loopback port, Quartz on the test database) started in-process,
/// with an optional fake clock and extra configuration.
/// </summary>
public sealed class TestService : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";
    public const string ShiftLeadKey = "test-shift-lead-key";
    public const string EngineerKey = "test-engineer-key";
    public const string ManagerKey = "test-manager-key";

    private TestService(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts the service. <paramref name="mapExtra"/> lets a test add endpoints (e.g. to probe the API conventions).</summary>
    public static async Task<TestService> StartAsync(
        TestDatabase database,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? mapExtra = null)
    {
        var config = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{StorageExtensions.ConnectionStringName}"] = database.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Scheduler:InstanceName"] = "IncidentDesk",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Auth:ApiKeys:0:Name"] = "admin",
            ["Auth:ApiKeys:0:KeyHash"] = ApiKey.Hash(AdminKey),
            ["Auth:ApiKeys:0:Role"] = Roles.Admin,
            ["Auth:ApiKeys:1:Name"] = "lead",
            ["Auth:ApiKeys:1:KeyHash"] = ApiKey.Hash(ShiftLeadKey),
            ["Auth:ApiKeys:1:Role"] = Roles.ShiftLead,
            ["Auth:ApiKeys:2:Name"] = "eng",
            ["Auth:ApiKeys:2:KeyHash"] = ApiKey.Hash(EngineerKey),
            ["Auth:ApiKeys:2:Role"] = Roles.Engineer,
            ["Auth:ApiKeys:3:Name"] = "boss",
            ["Auth:ApiKeys:3:KeyHash"] = ApiKey.Hash(ManagerKey),
            ["Auth:ApiKeys:3:Role"] = Roles.Manager,
            ["Paths:Alerts"] = RepoPaths.Alerts,
            ["Paths:Runbooks"] = RepoPaths.Runbooks,
            ["Paths:Dashboards"] = RepoPaths.Dashboards,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            config[key] = value;

        var builder = IncidentDeskApp.CreateBuilder([], time, b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            configure?.Invoke(b);
        });
        var app = IncidentDeskApp.Build(builder);
        mapExtra?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestService(app, new Uri(address));
    }

    /// <summary>An HTTP client for the service, authenticated with <paramref name="apiKey"/> when given.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a stop that hangs must not stall the whole run; it is reported on stderr instead.
        try
        {
            await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(45));
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"TestService {BaseAddress}: StopAsync did not finish within 45 s");
        }
        await App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(45));
    }
}

/// <summary>The repository's own folders, found from the test binary's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Alerts => Path.Combine(Root, "alerts");
    public static string Runbooks => Path.Combine(Root, "runbooks");
    public static string Dashboards => Path.Combine(Root, "dashboards");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IncidentDesk.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("IncidentDesk.sln not found above " + AppContext.BaseDirectory);
    }
}

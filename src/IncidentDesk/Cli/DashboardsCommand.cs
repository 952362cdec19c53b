using System.CommandLine;
using IncidentDesk.Configuration;
using IncidentDesk.Dashboards;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IncidentDesk.Cli;

/// <summary><c>incidentdesk dashboards push</c>: provision <c>dashboards/*.json</c> into Grafana through its HTTP API.</summary>
internal static class DashboardsCommand
{
    public static Command Build()
    {
        var dashboards = new Command("dashboards", "Grafana dashboards.");
        var push = new Command("push", "Check dashboards/*.json, create the Grafana folder if missing and save every board into it (overwrite, idempotent). Needs Grafana:Url and Grafana:Token.");
        var dir = new Option<string?>("--dir") { Description = "Folder of dashboard JSON files (default: Paths:Dashboards)." };
        var url = new Option<string?>("--url") { Description = "Grafana base URL (default: Grafana:Url)." };
        var folder = new Option<string?>("--folder-uid") { Description = "Grafana folder uid (default: Grafana:FolderUid, 'incidentdesk')." };
        push.Add(dir);
        push.Add(url);
        push.Add(folder);
        push.TreatUnmatchedTokensAsErrors = false;
        push.SetAction((result, ct) => ServiceCommands.Run(() => PushAsync(
            result.UnmatchedTokens.ToArray(), result.GetValue(dir), result.GetValue(url), result.GetValue(folder), ct)));
        dashboards.Add(push);
        return dashboards;
    }

    private static async Task<int> PushAsync(string[] args, string? dir, string? url, string? folderUid, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var overrides = new Dictionary<string, string?>();
        if (url is not null)
            overrides["Grafana:Url"] = url;
        if (folderUid is not null)
            overrides["Grafana:FolderUid"] = folderUid;
        if (dir is not null)
            overrides["Paths:Dashboards"] = dir;
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddValidatedOptions<PathsOptions>("Paths");
        builder.Services.AddDashboards();
        using var host = builder.Build();

        var grafana = host.Services.GetRequiredService<IOptions<GrafanaOptions>>().Value;
        if (string.IsNullOrEmpty(grafana.Url))
            throw new StartupException("configuration: Grafana:Url: is required for dashboards push (or pass --url)");
        var folder = host.Services.GetRequiredService<IOptions<PathsOptions>>().Value.Dashboards;

        var files = DashboardFile.LoadAll(folder);
        if (files.Count == 0)
            throw new StartupException($"dashboards push: no *.json dashboards in {folder}");
        var problems = DashboardFileCheck.Check(folder);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                Console.WriteLine(problem);
            Console.Error.WriteLine($"incidentdesk: dashboards push: {problems.Count} problem(s) in {folder}; nothing was pushed");
            return 1;
        }

        var client = host.Services.GetRequiredService<GrafanaClient>();
        var ensured = await client.EnsureFolderAsync(grafana.FolderUid, grafana.FolderTitle, ct);
        if (ensured.Error is { } folderError)
        {
            Console.Error.WriteLine($"incidentdesk: dashboards push: folder {grafana.FolderUid}: {folderError.Message}");
            return 1;
        }
        if (ensured.Value)
            Console.WriteLine($"created folder {grafana.FolderUid} ({grafana.FolderTitle})");

        var outcomes = new List<(DashboardFile File, GrafanaResult<PushedDashboard> Result)>();
        async Task PushAll(Action? advance)
        {
            foreach (var file in files)
            {
                var pushed = await client.PushDashboardAsync(file.Dashboard!, grafana.FolderUid, "incidentdesk dashboards push", ct);
                outcomes.Add((file, pushed));
                advance?.Invoke();
                if (pushed.Error is { IsFatal: true })
                    break;
            }
        }
        if (AnsiConsole.Profile.Capabilities.Interactive && files.Count > 1)
        {
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
            {
                var task = progress.AddTask($"pushing {files.Count} dashboards to {grafana.Url}", maxValue: files.Count);
                await PushAll(() => task.Increment(1));
            });
        }
        else
            await PushAll(null);

        var failed = 0;
        foreach (var (file, pushed) in outcomes)
        {
            var name = Path.GetFileName(file.Path);
            if (pushed.Error is { } error)
            {
                failed++;
                Console.Error.WriteLine($"incidentdesk: dashboards push: {name} ({file.Uid}): {error.Message}");
                continue;
            }
            var d = pushed.Value!;
            Console.WriteLine($"{d.Outcome.ToString().ToLowerInvariant()} {d.Uid} ({name}) version {d.Version}{(d.Url is null ? "" : " " + d.Url)}");
        }
        return failed == 0 && outcomes.Count == files.Count ? 0 : 1;
    }
}

using System.Diagnostics;

namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>Runs the real <c>incidentdesk</c> executable as a child process (the build output copied beside the tests).</summary>
public static class CliProcess
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "incidentdesk.dll");

    public sealed record Result(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed);

    public static Process Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        // Children must not inherit a developer's own configuration by accident.
        info.Environment.Remove("ConnectionStrings__IncidentDesk");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[key] = value;
        return Process.Start(info) ?? throw new InvalidOperationException("could not start incidentdesk");
    }

    /// <summary>Runs to completion, killing the process if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"incidentdesk {string.Join(' ', args)} did not exit within {timeout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr, watch.Elapsed);
    }
}

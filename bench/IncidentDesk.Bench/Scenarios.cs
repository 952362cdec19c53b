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

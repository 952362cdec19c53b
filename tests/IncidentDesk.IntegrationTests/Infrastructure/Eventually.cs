using System.Diagnostics;

namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>Polls a real process or server for a condition, with a bound; never a bare sleep.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, string? what = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(20);
        var watch = Stopwatch.StartNew();
        T last;
        do
        {
            last = await probe();
            if (done(last))
                return last;
            await Task.Delay(50);
        }
        while (watch.Elapsed < limit);
        throw new TimeoutException($"{what ?? "condition"} not reached within {limit}; last value: {last}");
    }
}

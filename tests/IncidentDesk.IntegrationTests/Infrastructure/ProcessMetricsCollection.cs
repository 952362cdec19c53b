namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that assert an exact count of a process-wide counter or histogram (prometheus-net keeps one registry per
/// process): another class's in-process service observing the same series in parallel would change the count.
/// Classes in this collection run alone, after the others. Gauges refreshed from the database need no such care:
/// <c>ScrapeRefresh</c> refreshes and exports each scrape under one process-wide gate.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}

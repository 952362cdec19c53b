namespace IncidentDesk.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that assert a gauge of the process-wide Prometheus registry. Every in-process service refreshes such
/// gauges from its own database before a scrape, so with test classes running in parallel another class's
/// service can overwrite the value between refresh and read. Classes in this collection run alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}

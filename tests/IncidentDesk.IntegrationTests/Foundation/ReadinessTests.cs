using System.Net;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentDesk.IntegrationTests.Foundation;

/// <summary>The service runs on a PostgreSQL cluster of this test's own, which the test stops and starts.</summary>
public sealed class ReadinessTests
{
    [PostgresFact]
    public async Task Readyz_turns_503_while_the_database_is_down_and_200_when_it_returns_without_a_restart()
    {
        await using var cluster = await LocalPostgresCluster.CreateAsync();
        await using (var source = StorageExtensions.CreateDataSource(cluster.ConnectionString))
            await new Migrator(source, NullLogger<Migrator>.Instance).ApplyAsync(CancellationToken.None);

        await using var service = await TestService.StartAsync(TestDatabase.ForExisting(cluster.ConnectionString));
        using var client = service.Client();
        // The scheduler starts with the host; on a loaded machine the first probe may come before it runs.
        await Eventually.Until(() => client.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "/readyz 200 once started");

        await cluster.StopAsync();
        await Eventually.Until(() => client.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(15), "/readyz reports the database down");
        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK, "liveness does not depend on the database");

        await cluster.StartAsync();
        await Eventually.Until(() => client.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "/readyz recovers");
    }
}

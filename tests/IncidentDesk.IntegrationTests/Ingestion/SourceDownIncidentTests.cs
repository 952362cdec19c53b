using Dapper;
using IncidentDesk.Incidents;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>A source failing for longer than <c>Ingestion:SourceDownAfter</c> opens one incident; its recovery is recorded on it.</summary>
public sealed class SourceDownIncidentTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task A_source_down_longer_than_configured_opens_one_incident_and_its_recovery_is_recorded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        var incidents = new IncidentService(database.DataSource, time, []);
        var health = new SourceHealth(database.DataSource, new IncidentSourceDownNotifier(incidents, NullLogger<IncidentSourceDownNotifier>.Instance), time,
            Options.Create(new IngestionOptions { SourceDownAfter = TimeSpan.FromMinutes(15) }));

        await health.RecordFailureAsync("freshdesk", "GET /api/v2/tickets answered 503", default);
        time.Advance(TimeSpan.FromMinutes(14));
        await health.RecordFailureAsync("freshdesk", "GET /api/v2/tickets answered 503", default);
        (await incidents.FindOpenAsync("source-down:freshdesk", default)).Should().BeNull("14 minutes is not yet down");

        time.Advance(TimeSpan.FromMinutes(2));
        await health.RecordFailureAsync("freshdesk", "timed out", default);
        var id = await incidents.FindOpenAsync("source-down:freshdesk", default);
        id.Should().NotBeNull("16 minutes of failures");
        time.Advance(TimeSpan.FromMinutes(5));
        await health.RecordFailureAsync("freshdesk", "timed out", default);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incidents WHERE dedup_key = 'source-down:freshdesk'")).Should().Be(1);
        (await connection.ExecuteScalarAsync<string>("SELECT title FROM incidents WHERE id = @id", new { id })).Should().Contain("freshdesk");

        await health.RecordSuccessAsync("freshdesk", default);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incident_events WHERE incident_id = @id AND kind = 'recovered'", new { id })).Should().Be(1);
        await health.RecordSuccessAsync("freshdesk", default);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incident_events WHERE incident_id = @id AND kind = 'recovered'", new { id }))
            .Should().Be(1, "one recovery per outage");
        IngestionMetrics.SourceUp.WithLabels("freshdesk").Value.Should().Be(1);
    }
}

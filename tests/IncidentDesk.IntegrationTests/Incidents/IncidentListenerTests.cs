using Dapper;
using IncidentDesk.Incidents;
using IncidentDesk.IntegrationTests.Infrastructure;
using Npgsql;

namespace IncidentDesk.IntegrationTests.Incidents;

/// <summary>Listeners run inside the incident's transaction: their rows commit with it, and their failure undoes it.</summary>
public sealed class IncidentListenerTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task A_failing_listener_leaves_no_half_opened_incident()
    {
        var service = new IncidentService(database.DataSource, TimeProvider.System, [new FailingListener()]);
        var act = () => service.OpenAsync(new IncidentSignal("fail:" + Guid.NewGuid(), "manual", "x", "high"), default);
        await act.Should().ThrowAsync<InvalidOperationException>();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incidents")).Should().Be(0);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incident_events")).Should().Be(0);
    }

    [PostgresFact]
    public async Task A_listener_sees_each_change_with_the_incident_as_committed()
    {
        var recorder = new RecordingListener();
        var service = new IncidentService(database.DataSource, TimeProvider.System, [recorder]);
        var key = "listen:" + Guid.NewGuid();
        var id = (await service.OpenAsync(new IncidentSignal(key, "manual", "x", "high"), default)).IncidentId;
        await service.OpenAsync(new IncidentSignal(key, "manual", "x", "high"), default);
        await service.AcknowledgeAsync(id, "jo", "test", default);
        await service.RecordRecoveryAsync(key, "ok again", default);
        await service.ResolveAsync(id, "jo", "done", default);

        recorder.Changes.Select(c => (c.Kind, c.Incident.Status)).Should().Equal(
            (IncidentChangeKind.Opened, "triggered"),
            (IncidentChangeKind.Signalled, "triggered"),
            (IncidentChangeKind.Acknowledged, "acknowledged"),
            (IncidentChangeKind.Recovered, "acknowledged"),
            (IncidentChangeKind.StatusChanged, "resolved"));
    }

    private sealed class FailingListener : IIncidentListener
    {
        public Task OnChangedAsync(IncidentChange change, NpgsqlTransaction transaction, CancellationToken ct) =>
            throw new InvalidOperationException("listener failed");
    }

    private sealed class RecordingListener : IIncidentListener
    {
        public List<IncidentChange> Changes { get; } = [];

        public Task OnChangedAsync(IncidentChange change, NpgsqlTransaction transaction, CancellationToken ct)
        {
            Changes.Add(change);
            return Task.CompletedTask;
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using IncidentDesk.Incidents;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Incidents;

public sealed class IncidentApiTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestService service = null!;

    public async Task InitializeAsync() => service = await TestService.StartAsync(database);

    public async Task DisposeAsync() => await service.DisposeAsync();

    private IncidentService Incidents => service.Services.GetRequiredService<IncidentService>();

    [PostgresFact]
    public async Task Declaring_an_incident_returns_201_and_its_timeline_starts_with_triggered()
    {
        using var client = service.Client(TestService.ShiftLeadKey);
        var response = await client.PostAsJsonAsync("/api/v1/incidents", new { title = "Chat widget down", severity = "critical" });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        response.Headers.Location!.ToString().Should().Be($"/api/v1/incidents/{id}");

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        detail.GetProperty("incident").GetProperty("status").GetString().Should().Be("triggered");
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        timeline.Should().ContainSingle();
        timeline[0].GetProperty("kind").GetString().Should().Be("triggered");
        timeline[0].GetProperty("actor").GetString().Should().Be("lead");
    }

    [PostgresFact]
    public async Task A_declaration_without_a_title_or_with_an_unknown_severity_is_400_problem_json()
    {
        using var client = service.Client(TestService.ShiftLeadKey);
        var noTitle = await client.PostAsJsonAsync("/api/v1/incidents", new { severity = "high" });
        noTitle.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        noTitle.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await client.PostAsJsonAsync("/api/v1/incidents", new { title = "x", severity = "apocalyptic" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [PostgresFact]
    public async Task A_repeat_signal_joins_the_open_incident_instead_of_opening_a_second()
    {
        var key = "test:" + Guid.NewGuid();
        var first = await Incidents.OpenAsync(new IncidentSignal(key, "sla", "Email reply time breached", "high"), default);
        var second = await Incidents.OpenAsync(new IncidentSignal(key, "sla", "Email reply time breached", "high"), default);

        first.Created.Should().BeTrue();
        second.Should().Be(new OpenResult(first.IncidentId, false));
        var incident = await Incidents.GetAsync(first.IncidentId, default);
        incident!.SignalCount.Should().Be(2);
        (await Incidents.TimelineAsync(first.IncidentId, default)).Select(e => e.Kind).Should().Equal("triggered", "signal");
    }

    [PostgresFact]
    public async Task Concurrent_signals_with_one_key_open_exactly_one_incident()
    {
        var key = "race:" + Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Incidents.OpenAsync(new IncidentSignal(key, "alertmanager", "Queue backlog", "medium"), default)));
        results.Select(r => r.IncidentId).Distinct().Should().ContainSingle();
        results.Count(r => r.Created).Should().Be(1);
    }

    [PostgresFact]
    public async Task After_resolution_the_same_key_opens_a_new_incident()
    {
        var key = "again:" + Guid.NewGuid();
        var first = await Incidents.OpenAsync(new IncidentSignal(key, "sla", "x", "low"), default);
        (await Incidents.ResolveAsync(first.IncidentId, "ana", "fixed", default)).Should().Be(TransitionResult.Done);
        var second = await Incidents.OpenAsync(new IncidentSignal(key, "sla", "x", "low"), default);
        second.Created.Should().BeTrue();
        second.IncidentId.Should().NotBe(first.IncidentId);
    }

    [PostgresFact]
    public async Task Acknowledge_is_idempotent_and_refused_with_409_once_resolved()
    {
        var id = (await Incidents.OpenAsync(new IncidentSignal("ack:" + Guid.NewGuid(), "manual", "x", "high"), default)).IncidentId;
        using var client = service.Client(TestService.ShiftLeadKey);

        var ack = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "maria" });
        ack.StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "maria" });
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetBoolean().Should().BeTrue();

        var incident = await Incidents.GetAsync(id, default);
        incident!.Status.Should().Be("acknowledged");
        incident.AcknowledgedBy.Should().Be("maria");

        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { by = "maria" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var late = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "maria" });
        late.StatusCode.Should().Be(HttpStatusCode.Conflict);
        late.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await client.PostAsJsonAsync("/api/v1/incidents/999999/ack", new { by = "maria" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [PostgresFact]
    public async Task Recovery_is_recorded_on_the_timeline_without_resolving()
    {
        var key = "recover:" + Guid.NewGuid();
        var id = (await Incidents.OpenAsync(new IncidentSignal(key, "sla", "x", "high"), default)).IncidentId;
        (await Incidents.RecordRecoveryAsync(key, "back above target for 30 min", default)).Should().BeTrue();
        (await Incidents.GetAsync(id, default))!.Status.Should().Be("triggered");
        (await Incidents.TimelineAsync(id, default))[^1].Kind.Should().Be("recovered");
        (await Incidents.RecordRecoveryAsync("no-such-key", "x", default)).Should().BeFalse();
    }

    [PostgresFact]
    public async Task Alertmanager_firing_opens_once_per_fingerprint_and_resolved_resolves()
    {
        using var client = service.Client(TestService.AdminKey);
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        var firing = Webhook("firing", fingerprint);

        var first = await client.PostAsync("/api/v1/alerts", Json(firing));
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents")[0].GetInt64();
        var repeat = await client.PostAsync("/api/v1/alerts", Json(firing));
        (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents")[0].GetInt64().Should().Be(id);

        var incident = await Incidents.GetAsync(id, default);
        incident!.Source.Should().Be("alertmanager");
        incident.Severity.Should().Be("critical");
        incident.Title.Should().Be("Zendesk poller down");
        incident.Labels.Should().Contain("alertname", "IncidentDeskSourceDown").And.Contain("runbook_url", "https://example.test/runbooks/integration-down.md");

        (await client.PostAsync("/api/v1/alerts", Json(Webhook("resolved", fingerprint)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Incidents.GetAsync(id, default))!.Status.Should().Be("resolved");
    }

    [PostgresTheory]
    [InlineData("{not json")]
    [InlineData("""{"version":"3","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"x"}}]}""")]
    [InlineData("""{"version":"4","status":"firing","alerts":[]}""")]
    [InlineData("""{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"severity":"critical"}}]}""")]
    [InlineData("""{"version":"4","status":"firing","alerts":[{"status":"exploding","labels":{"alertname":"x"}}]}""")]
    public async Task A_malformed_alertmanager_payload_is_400_problem_json_and_opens_nothing(string body)
    {
        using var client = service.Client(TestService.AdminKey);
        var before = await CountAsync();
        var response = await client.PostAsync("/api/v1/alerts", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await CountAsync()).Should().Be(before);
    }

    [PostgresFact]
    public async Task The_open_incidents_gauge_counts_the_tables_open_incidents_by_severity()
    {
        await Incidents.OpenAsync(new IncidentSignal("gauge:" + Guid.NewGuid(), "manual", "x", "low"), default);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var expected = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incidents WHERE severity = 'low' AND status IN ('triggered','acknowledged','mitigating')");
        using var client = service.Client();
        var metrics = await client.GetStringAsync("/metrics");
        metrics.Should().Contain($"incidentdesk_incidents_open{{severity=\"low\"}} {expected}");
    }

    private async Task<long> CountAsync()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incidents");
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static object Webhook(string status, string fingerprint) => new
    {
        version = "4",
        groupKey = "{}:{alertname=\"IncidentDeskSourceDown\"}",
        status,
        receiver = "incidentdesk",
        groupLabels = new { alertname = "IncidentDeskSourceDown" },
        commonLabels = new { alertname = "IncidentDeskSourceDown", severity = "critical" },
        commonAnnotations = new { },
        externalURL = "http://alertmanager:9093",
        alerts = new[]
        {
            new
            {
                status,
                labels = new Dictionary<string, string> { ["alertname"] = "IncidentDeskSourceDown", ["severity"] = "critical", ["source"] = "zendesk" },
                annotations = new Dictionary<string, string> { ["summary"] = "Zendesk poller down", ["runbook_url"] = "https://example.test/runbooks/integration-down.md" },
                startsAt = "2026-12-03T08:00:00Z",
                endsAt = status == "resolved" ? "2026-12-03T08:30:00Z" : "0001-01-01T00:00:00Z",
                generatorURL = "http://prometheus:9090/graph",
                fingerprint,
            },
        },
    };
}

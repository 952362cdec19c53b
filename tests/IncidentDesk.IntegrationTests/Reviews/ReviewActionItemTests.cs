using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Reviews;

/// <summary>Action items are tracked after the review: overdue ones are reported until they are done.</summary>
public sealed class ReviewActionItemTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task Action_items_past_their_due_date_are_reported_until_done()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var service = await TestService.StartAsync(database, time: time);
        using var client = service.Client(TestService.ManagerKey);
        var created = await client.PostAsJsonAsync("/api/v1/incidents", new { title = "Queue stuck", severity = "medium", labels = new { runbook = "generic" } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items", new { title = "x", owner = "a", due = "2026-12-02" }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "the review opens at resolution");
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { by = "kim" })).EnsureSuccessStatusCode();

        var early = await (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items", new { title = "Add queue alert", owner = "kim", due = "2026-12-03" })).Content.ReadFromJsonAsync<JsonElement>();
        await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items", new { title = "Write KB article", owner = "ole", due = "2026-12-10" });
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items", new { title = "", owner = "ole", due = "2026-12-10" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/action-items/overdue")).GetArrayLength().Should().Be(0);

        time.SetUtcNow(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero));
        var overdue = await client.GetFromJsonAsync<JsonElement>("/api/v1/action-items/overdue");
        overdue.EnumerateArray().Select(i => i.GetProperty("title").GetString()).Should().Equal("Add queue alert");
        (await client.GetStringAsync($"/api/v1/incidents/{id}/review")).Should().Contain("| Add queue alert | kim | 2026-12-03 | **overdue** |");
        (await service.Client().GetStringAsync("/metrics")).Should().Contain("incidentdesk_review_action_items_overdue 1");

        var itemId = early.GetProperty("id").GetInt64();
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items/{itemId}/done", new { by = "kim" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/action-items/overdue")).GetArrayLength().Should().Be(0);
        (await client.GetStringAsync($"/api/v1/incidents/{id}/review")).Should().Contain("| Add queue alert | kim | 2026-12-03 | done 2026-12-04 08:00:00 by kim |");
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/review/action-items/99999/done", new { })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

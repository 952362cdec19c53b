using System.Net.Http.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Runbooks.Fakes;
using Microsoft.Extensions.Time.Testing;
using static IncidentDesk.IntegrationTests.Runbooks.RunbookTestKit;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>Vendors failing: the step retries, the incident shows it, and the owner is paged when the deadline passes.</summary>
public sealed class RunbookFaultTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Jira_500_then_429_is_retried_after_Retry_After_and_creates_one_issue()
    {
        await using var fakes = await VendorFakes.StartAsync();
        fakes.Fail("jira", 500);
        fakes.Fail("jira", 429, retryAfterSeconds: 120);
        var time = new FakeTimeProvider(Start);
        var settings = Settings(fakes, LocalPostgresCluster.FreePort());
        // 30 s first backoff (60 s for the second): room to observe each attempt while the clock moves a second per probe.
        settings["Runbooks:RetryDelay"] = "00:00:30";
        await using var service = await TestService.StartAsync(database, settings, time);
        using var client = service.Client(TestService.ShiftLeadKey);
        var id = await DeclareAsync(client, "Checkout broken", new() { ["runbook"] = "generic" });
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();

        var detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Step(d, "escalate-to-tech").GetProperty("attempts").GetInt32() == 1 && Status(d, "escalate-to-tech") == "retrying", "first attempt failed");
        Step(detail, "escalate-to-tech").GetProperty("lastError").GetString().Should().Contain("Jira answered 500");

        detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Step(d, "escalate-to-tech").GetProperty("attempts").GetInt32() == 2 && Status(d, "escalate-to-tech") == "retrying", "second attempt failed");
        var step = Step(detail, "escalate-to-tech");
        step.GetProperty("lastError").GetString().Should().Contain("Jira answered 429");
        var failedAt = Timeline(detail).Count(e => e.Kind == "step-retry" && e.Message.Contains("escalate-to-tech", StringComparison.Ordinal));
        failedAt.Should().Be(2, "every failed attempt is on the timeline");
        (step.GetProperty("nextAttemptAt").GetDateTimeOffset() - time.GetUtcNow()).Should().BeGreaterThan(TimeSpan.FromSeconds(110), "Retry-After: 120 is honoured over the 60 s backoff");

        detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "escalate-to-tech") == "done", "escalation done", TimeSpan.FromSeconds(10));
        fakes.JiraIssues.Should().ContainSingle();
        Step(detail, "escalate-to-tech").GetProperty("attempts").GetInt32().Should().Be(3);
        Timeline(detail).Should().NotContain(e => e.Kind == "page-requested", "the step finished before its 45-minute deadline");
    }

    [PostgresFact]
    public async Task An_unreachable_Unleash_keeps_the_rollback_retrying_and_pages_the_engineer_at_the_deadline()
    {
        await using var fakes = await VendorFakes.StartAsync();
        var time = new FakeTimeProvider(Start);
        var closed = $"http://127.0.0.1:{LocalPostgresCluster.FreePort()}";
        await using var service = await TestService.StartAsync(database, Settings(fakes, LocalPostgresCluster.FreePort(), unleashUrl: closed), time);
        using var client = service.Client(TestService.ShiftLeadKey);
        var id = await DeclareAsync(client, "Rollout failed", new() { ["runbook"] = "tool-rollout-failure", ["flag"] = "new-sync" });
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();

        var detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "rollback-flag") == "retrying", "rollback failing");
        Step(detail, "rollback-flag").GetProperty("lastError").GetString().Should().Contain("Unleash unreachable");
        detail.GetProperty("incident").GetProperty("status").GetString().Should().Be("acknowledged", "nothing was mitigated");

        // The rollback's deadline is 20 minutes after opening.
        time.SetUtcNow(Start.AddMinutes(20));
        detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Timeline(d).Any(e => e.Kind == "page-requested"), "owner paged");
        var page = Timeline(detail).Single(e => e.Kind == "page-requested");
        page.Message.Should().StartWith($"page engineer: incident {id}: step 'rollback-flag' (rollback) is overdue").And.Contain("Unleash unreachable");
        Step(detail, "rollback-flag").GetProperty("overdue").GetBoolean().Should().BeTrue();

        // Paged once, not at every pass.
        time.Advance(TimeSpan.FromMinutes(1));
        detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Step(d, "rollback-flag").GetProperty("attempts").GetInt32() >= 8, "more attempts", TimeSpan.FromSeconds(30));
        Timeline(detail).Count(e => e.Kind == "page-requested" && e.Message.Contains("rollback-flag", StringComparison.Ordinal)).Should().Be(1);
    }

    [PostgresFact]
    public async Task A_down_SMTP_server_keeps_the_notice_retrying_without_a_send_record_and_pages_the_shift_lead()
    {
        await using var fakes = await VendorFakes.StartAsync();
        fakes.AddCustomer("101", "9001", "Erika Mustermann", "erika@example.de", "de");
        var time = new FakeTimeProvider(Start);
        var settings = Settings(fakes, LocalPostgresCluster.FreePort());
        await using var service = await TestService.StartAsync(database, settings, time);
        using var client = service.Client(TestService.ShiftLeadKey);
        var id = await DeclareAsync(client, "Portal down", new() { ["runbook"] = "integration-down", ["tickets"] = "101" });
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();

        var detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "notify-customers") == "retrying", "notice failing");
        Step(detail, "notify-customers").GetProperty("lastError").GetString().Should().Contain("SMTP 127.0.0.1").And.Contain("not available");
        await using (var connection = await database.DataSource.OpenConnectionAsync())
            (await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM runbook_notices WHERE incident_id = @id", new { id }))
                .Should().Be(0, "a refused connection is known not to have sent anything, so nothing blocks the retry");

        time.SetUtcNow(Start.AddHours(1));
        detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Timeline(d).Any(e => e.Kind == "page-requested" && e.Message.Contains("notify-customers", StringComparison.Ordinal)), "owner paged");
        Timeline(detail).Single(e => e.Kind == "page-requested" && e.Message.Contains("notify-customers", StringComparison.Ordinal)).Message.Should().StartWith("page shift-lead:");
    }
}

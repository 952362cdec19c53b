using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Observability;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>Vendor faults: rate limits, errors, outages, and a post whose answer was lost.</summary>
public sealed class DeliveryFaultTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(PagingFlowTests.Start);
    private PagingHarness harness = null!;
    private TestService service = null!;

    public async Task InitializeAsync()
    {
        // anna wants Slack only, so an e-mail to her can only be the fallback.
        harness = await PagingHarness.StartAsync(leadNotify: "slack");
        var settings = harness.Settings(smtpPort: Smtp.SmtpPort);
        settings["Paging:AckTimeout"] = "01:00:00";
        settings["Paging:RepeatInterval"] = "01:00:00";
        service = await TestService.StartAsync(database, settings, time);
    }

    private Smtp4Dev Smtp => harness.Smtp;

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        await harness.DisposeAsync();
    }

    [PostgresFact]
    public async Task A_429_is_retried_no_earlier_than_its_Retry_After()
    {
        harness.Slack.Enqueue(new FakeSlack.RateLimited(30));
        using var admin = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(admin, "RateLimit-" + harness.Suffix);
        var key = $"i{id}.anna.slack.1";

        var row = await Eventually.Until(() => Row(key), r => r.Failures == 1, what: "first try rate-limited");
        row.LastError.Should().Contain("ratelimited");
        (row.DueAt - time.GetUtcNow()).Should().Be(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(29));
        (await Row(key)).Status.Should().Be("pending");
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => Row(key), r => r.Status == "sent", what: "sent after Retry-After");
        harness.Slack.Posted.Count(m => m.IdempotencyKey == key).Should().Be(1);
    }

    [PostgresFact]
    public async Task A_post_whose_answer_was_lost_is_found_in_the_channel_and_not_posted_twice()
    {
        harness.Slack.Enqueue(new FakeSlack.PostedThenServerError());
        using var admin = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(admin, "Lost-" + harness.Suffix);
        var key = $"i{id}.anna.slack.1";
        await Eventually.Until(() => Row(key), r => r.Failures == 1, what: "first try in doubt");
        var lookups = harness.Slack.HistoryCalls;
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => Row(key), r => r.Status == "sent", what: "recorded as sent");
        harness.Slack.HistoryCalls.Should().BeGreaterThan(lookups, "it looked before re-sending");
        harness.Slack.Posted.Count(m => m.IdempotencyKey == key).Should().Be(1);
    }

    [PostgresFact]
    public async Task When_Slack_is_down_the_person_gets_an_email_within_a_minute_and_failures_are_counted()
    {
        const string failedSlack = "incidentdesk_pages_failed_total{channel=\"slack\"}";
        var failedBefore = PromQl.SampleValue(await service.Client().GetStringAsync("/metrics"), failedSlack);
        harness.Slack.Down = true;
        try
        {
            using var admin = service.Client(TestService.AdminKey);
            var id = await PagingHarness.FireAlertAsync(admin, "SlackDown-" + harness.Suffix);
            var key = $"i{id}.anna.slack.1";
            await Eventually.Until(() => Row(key), r => r.Failures == 1, what: "first failure");
            (await Smtp.MailToAsync(harness.Email("anna"))).Should().NotContain(m => m.MessageId.StartsWith($"i{id}.", StringComparison.Ordinal), "one blip is not a reason to fall back yet");

            // Retries at 1 s, 2 s, … of the fake clock; the second failure brings in e-mail.
            for (var i = 0; i < 3; i++)
            {
                var failures = (await Row(key)).Failures;
                time.Advance(TimeSpan.FromSeconds(Math.Pow(2, failures - 1)));
                await Eventually.Until(() => Row(key), r => r.Failures > failures, what: $"retry {i}");
            }
            var mail = await Eventually.Until(() => Smtp.MailToAsync(harness.Email("anna")), m => m.Any(x => x.MessageId.StartsWith($"i{id}.anna.email.1@", StringComparison.Ordinal)), what: "fallback e-mail");
            mail.Should().ContainSingle(x => x.MessageId.StartsWith($"i{id}.", StringComparison.Ordinal));
            (time.GetUtcNow() - PagingFlowTests.Start).Should().BeLessThan(TimeSpan.FromMinutes(1));

            var metrics = await service.Client().GetStringAsync("/metrics");
            PromQl.SampleValue(metrics, failedSlack).Should().BeGreaterThanOrEqualTo(failedBefore + 4, "the first try and three retries failed");
            (await Row(key)).Status.Should().Be("pending", "Slack is still retried");
        }
        finally
        {
            harness.Slack.Down = false;
        }
    }

    [PostgresFact]
    public async Task When_both_channels_fail_the_page_keeps_retrying_with_backoff()
    {
        harness.Slack.Down = true;
        await using var broken = await TestService.StartAsync(await NewDatabaseAsync(), BrokenSmtpSettings(), time);
        try
        {
            using var admin = broken.Client(TestService.AdminKey);
            var id = await PagingHarness.FireAlertAsync(admin, "AllDown-" + harness.Suffix);
            var key = $"i{id}.anna.slack.1";
            var emailKey = $"i{id}.anna.email.1";
            for (var i = 0; i < 6; i++)
            {
                var failures = (await Row(key, brokenDb!)).Failures;
                time.Advance(TimeSpan.FromSeconds(30));
                await Eventually.Until(() => Row(key, brokenDb!), r => r.Failures > failures, what: $"slack retry {i}");
            }
            var email = await Eventually.Until(() => Row(emailKey, brokenDb!), r => r.Failures >= 1, what: "fallback e-mail failing too");
            email.Status.Should().Be("pending");
            (await Row(key, brokenDb!)).Status.Should().Be("pending");
            (await Row(key, brokenDb!)).Failures.Should().BeGreaterThanOrEqualTo(6);
        }
        finally
        {
            harness.Slack.Down = false;
            await broken.DisposeAsync();
            await brokenDb!.DisposeAsync();
        }
    }

    private TestDatabase? brokenDb;

    private async Task<TestDatabase> NewDatabaseAsync()
    {
        brokenDb = new TestDatabase();
        await brokenDb.InitializeAsync();
        return brokenDb;
    }

    private Dictionary<string, string?> BrokenSmtpSettings()
    {
        var settings = harness.Settings(smtpPort: LocalPostgresCluster.FreePort());
        settings["Urls"] = "http://127.0.0.1:0";
        return settings;
    }

    private sealed record PageState
    {
        public PageState()
        {
        }

        public PageState(string status) => Status = status;

        public string Status { get; init; } = "";
        public int Failures { get; init; }
        public string? LastError { get; init; }
        public DateTimeOffset DueAt { get; init; }
    }

    private Task<PageState> Row(string key) => Row(key, database);

    private static async Task<PageState> Row(string key, TestDatabase db)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<PageState>(
            "SELECT status, failures, last_error AS LastError, due_at AS DueAt FROM pages WHERE idempotency_key = @key", new { key })
            ?? new PageState("absent");
    }
}

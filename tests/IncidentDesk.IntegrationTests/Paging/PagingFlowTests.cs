using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Observability;
using IncidentDesk.Paging;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>The whole path on a fake clock: alert → pages on Slack and e-mail → repeat → escalation → acknowledgment.</summary>
public sealed class PagingFlowTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    /// <summary>Monday 10:00 in Berlin, week 9 of the rotation: the early shift of crew 0, led by anna.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 9, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Start);
    private PagingHarness harness = null!;
    private TestService service = null!;

    public async Task InitializeAsync()
    {
        harness = await PagingHarness.StartAsync();
        var settings = harness.Settings();
        settings["Paging:AckTimeout"] = "00:15:00";
        settings["Paging:RepeatInterval"] = "00:05:00";
        service = await TestService.StartAsync(database, settings, time);
    }

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        await harness.DisposeAsync();
    }

    [PostgresFact]
    public async Task An_alert_pages_the_shift_lead_on_Slack_and_email_and_a_signed_Slack_ack_updates_the_message_and_stops_paging()
    {
        using var client = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(client, "CheckoutDown-" + harness.Suffix);

        var post = (await Eventually.Until(() => Task.FromResult(harness.Slack.PostsFor("U0ANNA01")), p => p.Count >= 1, what: "Slack page to anna")).Single();
        post.Channel.Should().Be(FakeSlack.ChannelId);
        post.IdempotencyKey.Should().Be($"i{id}.anna.slack.1");
        post.Blocks!.ToJsonString().Should().Contain("\"action_id\":\"ack\"").And.Contain($"\"value\":\"{id}\"");
        var mail = (await Eventually.Until(() => harness.Smtp.MailToAsync(harness.Email("anna")), m => m.Count >= 1, what: "e-mail page to anna")).Single();
        mail.MessageId.Should().Be($"i{id}.anna.email.1@127.0.0.1");
        mail.Subject.Should().Contain($"#{id}");
        mail.Text.Should().Contain(harness.BaseUrl + "ack/");

        using var anonymous = service.Client();
        var ack = await anonymous.SendAsync(PagingHarness.SlackAck(id, "U0ANNA01", time.GetUtcNow()));
        ack.StatusCode.Should().Be(HttpStatusCode.OK);

        var incident = await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        incident.GetProperty("incident").GetProperty("status").GetString().Should().Be("acknowledged");
        incident.GetProperty("incident").GetProperty("acknowledgedBy").GetString().Should().Be("anna");
        incident.GetProperty("pages").EnumerateArray().Where(p => p.GetProperty("kind").GetString() == "page")
            .Select(p => (p.GetProperty("channel").GetString(), p.GetProperty("status").GetString()))
            .Should().BeEquivalentTo([("slack", "sent"), ("email", "sent")]);
        var update = await Eventually.Until(() => Task.FromResult(harness.Slack.Updates.ToList()), u => u.Count >= 1, what: "chat.update");
        update.Single().Ts.Should().Be(post.Ts);
        update.Single().Text.Should().Contain("acknowledged by anna");

        // Past every deadline: nothing more is sent, the trigger is gone, and a late firing of the job does nothing.
        (await service.Services.GetRequiredService<EscalationScheduler>().IsArmedAsync(id, default)).Should().BeFalse();
        time.Advance(TimeSpan.FromMinutes(40));
        await ActivatorUtilities.CreateInstance<EscalateUnacknowledgedPagesJob>(service.Services).StepAsync(id, default);
        (await PagingHarness.PagesAsync(database.DataSource, id)).Should().HaveCount(2);
        harness.Slack.Posted.Should().ContainSingle(m => m.IdempotencyKey!.StartsWith($"i{id}.", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Without_an_ack_the_page_repeats_then_goes_to_level_2_at_15_minutes_and_level_3_after_its_deadline()
    {
        using var client = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(client, "QueueStuck-" + harness.Suffix);
        await SentAsync(id, $"i{id}.anna.slack.1");

        // t = 5, 10 min: repeats to the shift lead; nobody else yet.
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.anna.slack.2");
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.anna.slack.3");
        harness.Slack.PostsFor("U0TOM001").Should().BeEmpty("the shift lead still has 5 minutes");

        // t = 15 min: the deadline passes → level 2 (the team lead).
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.tom.slack.4");
        (await Eventually.Until(() => harness.Smtp.MailToAsync(harness.Email("tom")), m => m.Count >= 1, what: "e-mail to tom")).Should().ContainSingle();

        // t = 20, 25 repeat level 2; t = 30 → level 3 (the manager); t = 35 repeats at the top.
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.tom.slack.5");
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.tom.slack.6");
        harness.Slack.PostsFor("U0MARIA1").Should().BeEmpty();
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.maria.slack.7");
        time.Advance(TimeSpan.FromMinutes(5));
        await SentAsync(id, $"i{id}.maria.slack.8");

        var timeline = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}")).GetProperty("timeline").EnumerateArray()
            .Select(e => e.GetProperty("kind").GetString()).ToList();
        timeline.Count(k => k == "escalated").Should().Be(2);

        // Acknowledging stops it all at once: no trigger, pending pages cancelled, no attempt 9.
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "maria" })).EnsureSuccessStatusCode();
        (await service.Services.GetRequiredService<EscalationScheduler>().IsArmedAsync(id, default)).Should().BeFalse();
        time.Advance(TimeSpan.FromMinutes(5));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<int>("SELECT max(attempt) FROM pages WHERE incident_id = @id", new { id })).Should().Be(8);
        (await connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT stopped_at FROM escalations WHERE incident_id = @id", new { id })).Should().NotBeNull();
    }

    [PostgresFact]
    public async Task A_level_with_its_own_timeout_hands_over_when_it_expires_and_the_page_states_that_deadline()
    {
        // Its own database, harness and clock: the class's service must not see these triggers.
        var db = new TestDatabase();
        await db.InitializeAsync();
        try
        {
            await using var own = await PagingHarness.StartAsync();
            var file = Path.Combine(own.AlertsDir, "oncall.yaml");
            var yaml = await File.ReadAllTextAsync(file);
            await File.WriteAllTextAsync(file, yaml.Replace("- { level: 1, notify: [shift-lead] }", "- { level: 1, notify: [shift-lead], timeout: 5m }", StringComparison.Ordinal));
            var settings = own.Settings();
            settings["Paging:AckTimeout"] = "00:15:00";
            settings["Paging:RepeatInterval"] = "00:10:00";
            var clock = new FakeTimeProvider(Start);
            await using var svc = await TestService.StartAsync(db, settings, clock);
            using var client = svc.Client(TestService.AdminKey);
            var id = await PagingHarness.FireAlertAsync(client, "ShortFuse-" + own.Suffix);
            await Eventually.Until(() => Task.FromResult(own.Slack.PostsFor("U0ANNA01").ToList()), p => p.Count == 1, what: "first page to the shift lead");
            own.Slack.PostsFor("U0ANNA01").Single().Text.Should().Contain("please acknowledge within 5 minutes");

            clock.Advance(TimeSpan.FromMinutes(5));
            await Eventually.Until(() => PagingHarness.PagesAsync(db.DataSource, id), pages => pages.Any(p => p.Key == $"i{id}.tom.slack.2" && p.Status == "sent"),
                TimeSpan.FromSeconds(15), "level 2 paged at 5 minutes");
            own.Slack.PostsFor("U0TOM001").Single().Text.Should().Contain("please acknowledge within 15 minutes", "level 2 has the default");
            var timeline = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}")).GetProperty("timeline").EnumerateArray()
                .Select(e => e.GetProperty("message").GetString()).ToList();
            timeline.Should().Contain(m => m!.StartsWith("not acknowledged within 00:05:00: escalated to level 2", StringComparison.Ordinal));
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task The_unacknowledged_gauges_count_triggered_incidents_and_the_age_of_the_oldest()
    {
        using var client = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(client, "Gauge-" + harness.Suffix);
        time.Advance(TimeSpan.FromSeconds(90));
        var metrics = await service.Client().GetStringAsync("/metrics");
        PromQl.SampleValue(metrics, "incidentdesk_incidents_unacknowledged").Should().BeGreaterThanOrEqualTo(1);
        PromQl.SampleValue(metrics, "incidentdesk_oldest_unacknowledged_incident_age_seconds").Should().BeGreaterThanOrEqualTo(90);
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "anna" })).EnsureSuccessStatusCode();
        metrics = await service.Client().GetStringAsync("/metrics");
        metrics.Should().Contain("incidentdesk_page_ack_seconds_count").And.Contain("incidentdesk_pages_sent_total{channel=\"slack\"}");
    }

    private async Task SentAsync(long id, string key) => await Eventually.Until(
        () => PagingHarness.PagesAsync(database.DataSource, id),
        pages => pages.Any(p => p.Key == key && p.Status == "sent") && harness.Slack.Posted.Any(m => m.IdempotencyKey == key),
        TimeSpan.FromSeconds(15), $"page {key} delivered");
}

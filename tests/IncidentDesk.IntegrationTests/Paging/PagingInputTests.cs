using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>Bad input at the paging edges: Slack requests that are not Slack's, and acknowledgment links that are not ours.</summary>
public sealed class PagingInputTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(PagingFlowTests.Start);
    private PagingHarness harness = null!;
    private TestService service = null!;

    public async Task InitializeAsync()
    {
        harness = await PagingHarness.StartAsync();
        service = await TestService.StartAsync(database, harness.Settings(), time);
    }

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        await harness.DisposeAsync();
    }

    [PostgresFact]
    public async Task Unsigned_stale_tampered_or_wrongly_signed_Slack_requests_are_401_and_acknowledge_nothing()
    {
        using var admin = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(admin, "SlackAuth-" + harness.Suffix);
        using var client = service.Client();

        var unsigned = PagingHarness.SlackAck(id, "U0ANNA01", time.GetUtcNow());
        unsigned.Headers.Remove("X-Slack-Signature");
        var stale = PagingHarness.SlackAck(id, "U0ANNA01", time.GetUtcNow().AddMinutes(-6));
        var tampered = PagingHarness.SlackAck(id, "U0ANNA01", time.GetUtcNow(), tamper: body => [.. body, (byte)'x']);
        var wrongSecret = PagingHarness.SlackAck(id, "U0ANNA01", time.GetUtcNow(), secret: "not-the-signing-secret");
        foreach (var request in new[] { unsigned, stale, tampered, wrongSecret })
        {
            var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
        await StatusShouldBeAsync(admin, id, "triggered");

        // Signed, but by someone who is not on the roster: Slack gets its 200, the incident stays unacknowledged.
        var stranger = await client.SendAsync(PagingHarness.SlackAck(id, "U0STRANGE", time.GetUtcNow()));
        stranger.StatusCode.Should().Be(HttpStatusCode.OK);
        (await stranger.Content.ReadAsStringAsync()).Should().Contain("not on the on-call roster");
        await StatusShouldBeAsync(admin, id, "triggered");
    }

    [PostgresFact]
    public async Task The_email_link_confirms_then_acknowledges_once_and_forged_or_expired_links_are_403()
    {
        using var admin = service.Client(TestService.AdminKey);
        var id = await PagingHarness.FireAlertAsync(admin, "AckLink-" + harness.Suffix);
        var mail = (await Eventually.Until(() => harness.Smtp.MailToAsync(harness.Email("anna")), m => m.Any(x => x.Subject.Contains($"#{id} ", StringComparison.Ordinal)), what: "e-mail page"))
            .Single(x => x.Subject.Contains($"#{id} ", StringComparison.Ordinal));
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text, @"http://\S+/ack/\S+").Value;
        var path = new Uri(link).AbsolutePath;
        using var browser = service.Client();

        var confirm = await browser.GetAsync(path);
        confirm.StatusCode.Should().Be(HttpStatusCode.OK);
        (await confirm.Content.ReadAsStringAsync()).Should().Contain("Confirm acknowledgment").And.Contain("anna");
        await StatusShouldBeAsync(admin, id, "triggered");

        var forged = path[..^3] + (path[^3] == 'a' ? "b" : "a") + path[^2..];
        (await browser.GetAsync(forged)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.PostAsync(forged, null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.PostAsync("/ack/MTIzLmFubmEuOTk5OTk5OTk5OQ.c2lnbmF0dXJl", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await StatusShouldBeAsync(admin, id, "triggered");

        var ack = await browser.PostAsync(path, null);
        ack.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ack.Content.ReadAsStringAsync()).Should().Contain("acknowledged by anna");
        await StatusShouldBeAsync(admin, id, "acknowledged");

        // Replaying the link after the ack changes nothing and says so.
        var replay = await browser.PostAsync(path, null);
        replay.StatusCode.Should().Be(HttpStatusCode.OK);
        (await replay.Content.ReadAsStringAsync()).Should().Contain("already acknowledged");
        await using (var connection = await database.DataSource.OpenConnectionAsync())
            (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM incident_events WHERE incident_id = @id AND kind = 'acknowledged'", new { id })).Should().Be(1);

        // A day later the link has expired.
        time.Advance(TimeSpan.FromHours(24));
        (await browser.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [PostgresFact]
    public async Task A_malformed_Alertmanager_payload_is_400_problem_json_and_pages_nobody()
    {
        using var admin = service.Client(TestService.AdminKey);
        var before = harness.Slack.Posted.Count;
        var response = await admin.PostAsync("/api/v1/alerts", new StringContent("""{"version":"4","alerts":[{"status":"burning"}]}""", System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pages WHERE title LIKE 'burning%'")).Should().Be(0);
        harness.Slack.Posted.Count.Should().Be(before);
    }

    private static async Task StatusShouldBeAsync(HttpClient admin, long id, string status) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}")).GetProperty("incident").GetProperty("status").GetString().Should().Be(status);
}

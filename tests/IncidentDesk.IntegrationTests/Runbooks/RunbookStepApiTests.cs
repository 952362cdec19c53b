using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Runbooks.Fakes;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using static IncidentDesk.IntegrationTests.Runbooks.RunbookTestKit;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>Steps through the API: attached at opening, completed by people, refused when the lifecycle says no.</summary>
public sealed class RunbookStepApiTests(TestDatabase database, Smtp4devServer smtp) : IClassFixture<TestDatabase>, IClassFixture<Smtp4devServer>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task The_runbook_is_chosen_by_label_and_acknowledging_completes_its_acknowledge_step()
    {
        await using var fakes = await VendorFakes.StartAsync();
        var time = new FakeTimeProvider(Start);
        await using var service = await TestService.StartAsync(database, Settings(fakes, smtp.SmtpPort), time);
        using var client = service.Client(TestService.ShiftLeadKey);
        var id = await DeclareAsync(client, "CSAT falling", new() { ["runbook"] = "sla-csat" });
        var scheduler = await service.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals("ingestion")))
            .Should().BeEmpty("the runbooks' own Jira and Zendesk accounts do not switch on polling them");

        var detail = await DetailAsync(client, id);
        detail.GetProperty("runbook").GetString().Should().Be("sla-csat");
        detail.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Should().Equal("acknowledge", "read-bad-ratings", "review");
        Step(detail, "acknowledge").GetProperty("dueAt").GetDateTimeOffset().Should().Be(Start.AddMinutes(15));
        Step(detail, "read-bad-ratings").GetProperty("dueAt").GetDateTimeOffset().Should().Be(Start.AddDays(1));
        Step(detail, "review").GetProperty("dueAt").ValueKind.Should().Be(JsonValueKind.Null, "the review's deadline counts from resolution");

        time.Advance(TimeSpan.FromMinutes(3));
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var ack = Step(await DetailAsync(client, id), "acknowledge");
        ack.GetProperty("status").GetString().Should().Be("done");
        ack.GetProperty("completedBy").GetString().Should().Be("lena");
        ack.GetProperty("completedAt").GetDateTimeOffset().Should().Be(Start.AddMinutes(3));

        // Completing the acknowledge step is acknowledging: a second time changes nothing.
        var again = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/acknowledge/complete", new { by = "max" });
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetBoolean().Should().BeTrue();
    }

    [PostgresFact]
    public async Task Manual_steps_complete_once_on_the_timeline_and_impossible_completions_are_404_or_409()
    {
        await using var fakes = await VendorFakes.StartAsync();
        var time = new FakeTimeProvider(Start);
        await using var service = await TestService.StartAsync(database, Settings(fakes, smtp.SmtpPort), time);
        using var client = service.Client(TestService.EngineerKey);
        var id = await DeclareAsync(client, "Agent errors", new() { ["runbook"] = "sla-agent-error-escalations" });

        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/sample-escalations/complete", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var repeat = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/sample-escalations/complete", new { by = "tom" });
        (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetBoolean().Should().BeTrue();
        var detail = await DetailAsync(client, id);
        Timeline(detail).Where(e => e.Kind == "step-done").Should().ContainSingle().Which.Should().Be(("step-done", "step 'sample-escalations' (manual) done by tom", "tom"));

        var review = await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/review/complete", new { by = "tom" });
        review.StatusCode.Should().Be(HttpStatusCode.Conflict, "a review is published after resolution only");
        review.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/no-such-step/complete", new { })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync("/api/v1/incidents/999999/steps/review/complete", new { })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PatchAsJsonAsync($"/api/v1/incidents/{id}/review", new { summary = "x" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        // Resolve, review, publish: then the incident's steps are closed.
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
        Step(await DetailAsync(client, id), "review").GetProperty("dueAt").GetDateTimeOffset().Should().Be(Start.AddDays(5));
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/review/complete", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/plan-coaching/complete", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [PostgresFact]
    public async Task A_changed_ETA_is_announced_again_and_a_rollback_can_be_reversed()
    {
        await using var fakes = await VendorFakes.StartAsync();
        fakes.AddCustomer("301", "9301", "Erika Mustermann", "erika.eta@example.de", "de");
        fakes.UnleashFlags["default/beta-router/production"] = true;
        var time = new FakeTimeProvider(Start);
        await using var service = await TestService.StartAsync(database, Settings(fakes, smtp.SmtpPort), time);
        using var client = service.Client(TestService.ShiftLeadKey);
        var id = await DeclareAsync(client, "Router rollout", new() { ["runbook"] = "tool-rollout-failure", ["flag"] = "beta-router", ["tickets"] = "301", ["produkt"] = "Router" });
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();
        await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "notify-customers") == "done" && Status(d, "rollback-flag") == "done", "notice and rollback done");

        var eta = Start.AddHours(3);
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/eta", new { eta, by = "lena" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/eta", new { eta, by = "lena" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("unchanged").GetBoolean().Should().BeTrue("the same ETA is not announced twice");
        var detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "notify-customers") == "done" && Step(d, "notify-customers").GetProperty("result").GetProperty("etaVersion").GetInt32() == 2, "new ETA announced");
        var mails = (await smtp.MessagesAsync()).Where(m => m.To.Mailboxes.Single().Address == "erika.eta@example.de").ToList();
        mails.Should().HaveCount(2, "the first notice and the new ETA");
        mails.Should().ContainSingle(m => m.TextBody!.Contains("01.12.2026, 13:00 Uhr (Europe/Berlin)", StringComparison.Ordinal));
        fakes.ZendeskComments["301"].Should().HaveCount(2);

        fakes.UnleashFlags["default/beta-router/production"].Should().BeFalse();
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/rollback-flag/reverse", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
        fakes.UnleashFlags["default/beta-router/production"].Should().BeTrue("reversed to the recorded previous state");
        detail = await DetailAsync(client, id);
        Status(detail, "rollback-flag").Should().Be("reversed");
        Timeline(detail).Should().Contain(e => e.Kind == "step-reversed" && e.Actor == "tom" && e.Message.Contains("'beta-router' is on again", StringComparison.Ordinal));
        (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/notify-customers/reverse", new { })).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }
    [PostgresFact]
    public async Task With_flagd_the_rollback_rewrites_only_the_flags_state_and_the_reverse_restores_it()
    {
        await using var fakes = await VendorFakes.StartAsync();
        var dir = Directory.CreateTempSubdirectory("flagd-");
        var file = Path.Combine(dir.FullName, "flags.flagd.json");
        await File.WriteAllTextAsync(file, """
            {
              "$schema": "https://flagd.dev/schema/v0/flags.json",
              "flags": {
                "beta-router": {
                  "state": "ENABLED",
                  "variants": { "on": true, "off": false },
                  "defaultVariant": "on",
                  "targeting": { "if": [ { "ends_with": [ { "var": "email" }, "@example.com" ] }, "on", "off" ] }
                },
                "dark-mode": { "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "off" }
              }
            }
            """);
        var settings = Settings(fakes, smtp.SmtpPort);
        settings["FeatureFlags:Provider"] = "flagd";
        settings["FeatureFlags:Flagd:Path"] = file;
        var time = new FakeTimeProvider(Start);
        try
        {
            await using var service = await TestService.StartAsync(database, settings, time);
            using var client = service.Client(TestService.ShiftLeadKey);
            var id = await DeclareAsync(client, "Router rollout on flagd", new() { ["runbook"] = "tool-rollout-failure", ["flag"] = "beta-router" });
            (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { by = "lena" })).EnsureSuccessStatusCode();
            var detail = await AdvanceUntil(time, () => DetailAsync(client, id), d => Status(d, "rollback-flag") == "done", "rollback done");

            var result = Step(detail, "rollback-flag").GetProperty("result");
            result.GetProperty("provider").GetString().Should().Be("flagd");
            result.GetProperty("previous").GetBoolean().Should().BeTrue();
            result.GetProperty("verified").GetBoolean().Should().BeTrue();
            var flags = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("flags");
            flags.GetProperty("beta-router").GetProperty("state").GetString().Should().Be("DISABLED");
            flags.GetProperty("beta-router").GetProperty("defaultVariant").GetString().Should().Be("on", "only the state is switched");
            flags.GetProperty("beta-router").GetProperty("targeting").GetRawText().Should().Contain("@example.com");
            flags.GetProperty("dark-mode").GetProperty("state").GetString().Should().Be("ENABLED", "other flags are left alone");
            dir.GetFiles().Select(f => f.Name).Should().Equal("flags.flagd.json");

            (await client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/rollback-flag/reverse", new { by = "tom" })).StatusCode.Should().Be(HttpStatusCode.OK);
            JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("flags").GetProperty("beta-router").GetProperty("state").GetString()
                .Should().Be("ENABLED", "reversed to the recorded previous state");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>
/// A real Alertmanager (Debian package) with the compose configuration (deploy/alertmanager/alertmanager.yml, only the
/// address, key and group wait changed) delivers an alert to a running IncidentDesk, which opens an incident.
/// Needs POST /api/v1/alerts and GET /api/v1/incidents from the paging issue (issue 3).
/// </summary>
public sealed class AlertmanagerWebhookTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestService service = null!;
    private ServerProcess alertmanager = null!;

    public async Task InitializeAsync()
    {
        service = await TestService.StartAsync(database);
        var compose = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "alertmanager", "alertmanager.yml"));
        var config = compose
            .Replace("http://incidentdesk:8080/api/v1/alerts", new Uri(service.BaseAddress, "/api/v1/alerts").ToString(), StringComparison.Ordinal)
            .Replace("\"compose-alertmanager-key\"", $"\"{TestService.AdminKey}\"", StringComparison.Ordinal)
            .Replace("group_wait: 30s", "group_wait: 1s", StringComparison.Ordinal);
        config.Should().Contain(service.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(TestService.AdminKey);
        alertmanager = await ServerProcess.StartAsync("prometheus-alertmanager", "alertmanager.yml",
            (_, _) => config,
            (folder, port) => ["--config.file=" + Path.Combine(folder, "alertmanager.yml"), "--storage.path=" + Path.Combine(folder, "data"),
                               $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=debug"],
            "-/ready");
    }

    public async Task DisposeAsync()
    {
        await alertmanager.DisposeAsync();
        await service.DisposeAsync();
    }

    [PostgresFact]
    public async Task An_alert_fired_through_alertmanager_opens_an_incident()
    {
        using (var am = alertmanager.Client())
        {
            var posted = await am.PostAsJsonAsync("api/v2/alerts", new[]
            {
                new
                {
                    labels = new Dictionary<string, string> { ["alertname"] = "IncidentDeskSlaBreached", ["severity"] = "warning", ["rule"] = "first-response", ["channel"] = "email" },
                    annotations = new Dictionary<string, string> { ["summary"] = "SLA first-response breached on email", ["runbook_url"] = "runbooks/sla-breach.md" },
                    startsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                },
            });
            posted.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var api = service.Client(TestService.AdminKey);
        var last = "";
        try
        {
            await Eventually.Until(async () =>
            {
                var response = await api.GetAsync("/api/v1/incidents?status=open");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode && last.Contains("IncidentDeskSlaBreached", StringComparison.Ordinal);
            }, found => found, TimeSpan.FromSeconds(30), "an open incident for the alert");
        }
        catch (TimeoutException)
        {
            var delivery = string.Join('\n', alertmanager.Output.Split('\n').Where(l => l.Contains("webhook", StringComparison.OrdinalIgnoreCase) || l.Contains("notify", StringComparison.OrdinalIgnoreCase)).TakeLast(5));
            throw new Xunit.Sdk.XunitException($"no open incident for the alert within 30 s.\nGET /api/v1/incidents?status=open: {last}\nAlertmanager said:\n{delivery}");
        }
    }
}

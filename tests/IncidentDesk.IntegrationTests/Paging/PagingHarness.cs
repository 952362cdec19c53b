using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Paging.Slack;
using Npgsql;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>
/// An on-call file of the test's own (unique e-mail addresses, so mail in the shared smtp4dev is told apart),
/// the fake Slack, smtp4dev, and the settings that point the service at them.
/// </summary>
public sealed class PagingHarness : IAsyncDisposable
{
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string LinkSecret = "test-link-secret-0123456789-abcdefghij";

    private PagingHarness(FakeSlack slack, Smtp4Dev smtp, string alertsDir, string suffix, int port)
    {
        Slack = slack;
        Smtp = smtp;
        AlertsDir = alertsDir;
        Suffix = suffix;
        Port = port;
    }

    public FakeSlack Slack { get; }

    public Smtp4Dev Smtp { get; }

    public string AlertsDir { get; }

    public string Suffix { get; }

    /// <summary>The port the service under test listens on (fixed up front so that e-mail links can name it).</summary>
    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    public string Email(string person) => $"{person}.{Suffix}@example.test";

    /// <summary>People: anna/dora/gustav lead the three crews, tom is level 2, maria level 3.</summary>
    public static async Task<PagingHarness> StartAsync(string? leadNotify = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var dir = Path.Combine(Path.GetTempPath(), "incidentdesk-alerts-" + suffix);
        Directory.CreateDirectory(dir);
        var harness = new PagingHarness(await FakeSlack.StartAsync(), await Smtp4Dev.SharedAsync(), dir, suffix, LocalPostgresCluster.FreePort());
        await File.WriteAllTextAsync(Path.Combine(dir, "oncall.yaml"), harness.Yaml(leadNotify));
        return harness;
    }

    private string Yaml(string? leadNotify) => $$"""
        timeZone: Europe/Berlin
        people:
          - { id: anna,   name: Anna Becker,   slack: U0ANNA01, email: {{Email("anna")}}{{(leadNotify is null ? "" : $", notify: [{leadNotify}]")}} }
          - { id: ben,    name: Ben Okafor,    slack: U0BEN001, email: {{Email("ben")}} }
          - { id: dora,   name: Dora Lind,     slack: U0DORA01, email: {{Email("dora")}} }
          - { id: emil,   name: Emil Novak,    slack: U0EMIL01, email: {{Email("emil")}} }
          - { id: gustav, name: Gustav Berg,   slack: U0GUST01, email: {{Email("gustav")}} }
          - { id: hanna,  name: Hanna Schulz,  slack: U0HANNA1, email: {{Email("hanna")}} }
          - { id: tom,    name: Tom Fischer,   slack: U0TOM001, email: {{Email("tom")}} }
          - { id: maria,  name: Maria Santos,  slack: U0MARIA1, email: {{Email("maria")}} }
        shifts:
          - { name: early, start: "08:00", end: "16:00" }
          - { name: late,  start: "16:00", end: "24:00" }
          - { name: night, start: "00:00", end: "08:00" }
        rotation:
          every: weekly
          startsOn: 2026-01-05
          crews:
            - { lead: anna,   agents: [ben] }
            - { lead: dora,   agents: [emil] }
            - { lead: gustav, agents: [hanna] }
        escalation:
          - { level: 1, notify: [shift-lead] }
          - { level: 2, notify: [tom] }
          - { level: 3, notify: [maria] }
        """;

    /// <summary>Configuration keys for an in-process <see cref="TestService"/> or, with <c>__</c>, a child process.</summary>
    public Dictionary<string, string?> Settings(string? smtpHost = "127.0.0.1", int? smtpPort = null) => new()
    {
        ["Urls"] = BaseUrl.TrimEnd('/'),
        ["Paths:Alerts"] = AlertsDir,
        ["Slack:ApiBaseUrl"] = Slack.ApiBaseUrl.ToString(),
        ["Slack:BotToken"] = FakeSlack.Token,
        ["Slack:SigningSecret"] = SigningSecret,
        ["Slack:Channel"] = FakeSlack.ChannelId,
        ["Smtp:Host"] = smtpHost,
        ["Smtp:Port"] = (smtpPort ?? Smtp.SmtpPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "IncidentDesk <pager@incidentdesk.test>",
        ["Paging:PublicBaseUrl"] = BaseUrl,
        ["Paging:LinkSecret"] = LinkSecret,
    };

    /// <summary>Posts one firing Alertmanager alert and returns the incident id.</summary>
    public static async Task<long> FireAlertAsync(HttpClient client, string name, string severity = "critical")
    {
        var response = await client.PostAsJsonAsync("/api/v1/alerts", new
        {
            version = "4",
            groupKey = "{}:{alertname=\"" + name + "\"}",
            status = "firing",
            receiver = "incidentdesk",
            alerts = new[]
            {
                new { status = "firing", labels = new Dictionary<string, string> { ["alertname"] = name, ["severity"] = severity }, annotations = new Dictionary<string, string> { ["summary"] = name + " is failing" }, fingerprint = name },
            },
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("incidents")[0].GetInt64();
    }

    /// <summary>A Slack block_actions interaction as Slack sends it, signed with <paramref name="secret"/> at <paramref name="at"/>.</summary>
    public static HttpRequestMessage SlackAck(long incidentId, string slackUserId, DateTimeOffset at, string secret = SigningSecret, Func<byte[], byte[]>? tamper = null)
    {
        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions",
            user = new { id = slackUserId, username = slackUserId.ToLowerInvariant() },
            channel = new { id = FakeSlack.ChannelId },
            container = new { message_ts = "1.000001" },
            actions = new[] { new { action_id = "ack", value = incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture), action_ts = "1.1" } },
            response_url = "https://hooks.slack.test/actions/1",
        });
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(payload));
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SlackSignature.Sign(secret, timestamp, body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/interactions") { Content = new ByteArrayContent(tamper is null ? body : tamper(body)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    public static async Task<IReadOnlyList<(string Key, string Status)>> PagesAsync(NpgsqlDataSource db, long incidentId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<(string, string)>("SELECT idempotency_key, status FROM pages WHERE incident_id = @incidentId AND kind = 'page' ORDER BY id", new { incidentId })).AsList();
    }

    public async ValueTask DisposeAsync()
    {
        await Slack.DisposeAsync();
        Directory.Delete(AlertsDir, recursive: true);
    }
}

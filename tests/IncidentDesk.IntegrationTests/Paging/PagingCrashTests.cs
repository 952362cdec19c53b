using System.Diagnostics;
using System.Net.Http.Headers;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Web;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>
/// Real <c>serve</c> child processes against one database: SIGKILLed at random points while pages are in flight,
/// and two of them side by side. Every page is delivered; no Slack page twice; e-mail at least once.
/// </summary>
public sealed class PagingCrashTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly string[] People = ["anna", "ben", "dora", "emil", "gustav", "hanna", "tom", "maria"];

    private PagingHarness harness = null!;

    public async Task InitializeAsync() => harness = await PagingHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private Dictionary<string, string?> Env(int port, string lease)
    {
        var env = harness.Settings().ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        env["Urls"] = $"http://127.0.0.1:{port}";
        env["Paging__PublicBaseUrl"] = $"http://127.0.0.1:{port}/";
        env["ConnectionStrings__IncidentDesk"] = database.ConnectionString;
        env["Auth__ApiKeys__0__Name"] = "admin";
        env["Auth__ApiKeys__0__KeyHash"] = ApiKey.Hash(TestService.AdminKey);
        env["Auth__ApiKeys__0__Role"] = Roles.Admin;
        // In the crash test a dead node's claims come back after two seconds, not thirty.
        env["Paging__ClaimLease"] = lease;
        env["Paging__AckTimeout"] = "01:00:00";
        env["Paging__RepeatInterval"] = "01:00:00";
        env["Logging__LogLevel__Default"] = "Warning";
        return env;
    }

    private async Task<(Process Process, HttpClient Client)> StartServeAsync(string lease = "00:00:02")
    {
        var port = LocalPostgresCluster.FreePort();
        var process = CliProcess.Start(["serve"], Env(port, lease));
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestService.AdminKey);
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"serve exited with {process.ExitCode}");
            try
            {
                return (await client.GetAsync("/readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(60), "serve ready");
        return (process, client);
    }

    [PostgresFact]
    public async Task Killing_serve_at_random_points_loses_no_page_and_sends_no_Slack_page_twice()
    {
        var random = new Random(20261203);
        var incidents = new List<long>();
        for (var cycle = 0; cycle < 10; cycle++)
        {
            var (process, client) = await StartServeAsync();
            var before = harness.Slack.Posted.Count;
            for (var i = 0; i < 8; i++)
                incidents.Add(await PagingHarness.FireAlertAsync(client, $"Crash-{harness.Suffix}-{cycle}-{i}"));
            // Kill after a random number of the new Slack posts arrived (0 = at once, while all are in flight).
            var target = before + random.Next(0, 9);
            var watch = Stopwatch.StartNew();
            while (harness.Slack.Posted.Count < target && watch.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Yield();
            process.Kill(); // SIGKILL: no shutdown hooks, claims stay claimed
            await process.WaitForExitAsync();
            client.Dispose();
            process.Dispose();
        }

        var (last, lastClient) = await StartServeAsync();
        try
        {
            await AllSentAsync(incidents, TimeSpan.FromSeconds(90));
            await AssertDeliveredAsync(incidents, emailExactlyOnce: false);
        }
        finally
        {
            last.Kill();
            await last.WaitForExitAsync();
            lastClient.Dispose();
        }
    }

    [PostgresFact]
    public async Task Two_serve_processes_on_one_database_deliver_200_incidents_pages_each_exactly_once()
    {
        // Nobody dies here, so the default lease: e-mail is exactly once unless a node dies mid-send.
        var first = await StartServeAsync("00:00:30");
        var second = await StartServeAsync("00:00:30");
        try
        {
            var incidents = new System.Collections.Concurrent.ConcurrentBag<long>();
            await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                incidents.Add(await PagingHarness.FireAlertAsync(i % 2 == 0 ? first.Client : second.Client, $"TwoNodes-{harness.Suffix}-{i}")));
            incidents.Distinct().Should().HaveCount(200);
            await AllSentAsync(incidents.ToList(), TimeSpan.FromSeconds(120));
            await AssertDeliveredAsync(incidents.ToList(), emailExactlyOnce: true);
        }
        finally
        {
            foreach (var (process, client) in new[] { first, second })
            {
                process.Kill();
                await process.WaitForExitAsync();
                client.Dispose();
            }
        }
    }

    private async Task AllSentAsync(List<long> incidents, TimeSpan within)
    {
        var ids = incidents.ToArray();
        await Eventually.Until(async () =>
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            return await connection.QuerySingleAsync<(long Sent, long Other)>(
                "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status <> 'sent') FROM pages WHERE kind = 'page' AND incident_id = ANY(@ids)", new { ids });
        }, c => c.Sent >= ids.Length * 2 && c.Other == 0, within, "every page sent");
    }

    private async Task AssertDeliveredAsync(List<long> incidents, bool emailExactlyOnce)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var pages = (await connection.QueryAsync<(long IncidentId, string Channel, string Key)>(
            "SELECT incident_id, channel, idempotency_key FROM pages WHERE kind = 'page' AND incident_id = ANY(@ids)", new { ids = incidents.ToArray() })).AsList();
        // The listener wrote one Slack and one e-mail page per incident, in the incident's own transaction.
        pages.Select(p => p.IncidentId).Distinct().Should().BeEquivalentTo(incidents);
        pages.Should().HaveCount(incidents.Count * 2);

        var slackKeys = pages.Where(p => p.Channel == "slack").Select(p => p.Key).ToList();
        var posted = harness.Slack.Posted.Where(m => m.IdempotencyKey is not null).GroupBy(m => m.IdempotencyKey!).ToDictionary(g => g.Key, g => g.Count());
        slackKeys.Should().OnlyContain(k => posted.ContainsKey(k), "every Slack page arrived");
        posted.Where(kv => slackKeys.Contains(kv.Key)).Should().OnlyContain(kv => kv.Value == 1, "no Slack page twice");

        var recipients = new HashSet<string>(People.Select(harness.Email), StringComparer.OrdinalIgnoreCase);
        var messageIds = await Eventually.Until(() => harness.Smtp.MessageIdsToAsync(recipients), ids => ids.Count >= incidents.Count, TimeSpan.FromSeconds(30), "mail in smtp4dev");
        var byKey = messageIds.GroupBy(id => id[..id.IndexOf('@', StringComparison.Ordinal)]).ToDictionary(g => g.Key, g => g.Count());
        var emailKeys = pages.Where(p => p.Channel == "email").Select(p => p.Key).ToList();
        emailKeys.Should().OnlyContain(k => byKey.ContainsKey(k), "every e-mail page arrived");
        if (emailExactlyOnce)
            byKey.Where(kv => emailKeys.Contains(kv.Key)).Should().OnlyContain(kv => kv.Value == 1);
    }
}

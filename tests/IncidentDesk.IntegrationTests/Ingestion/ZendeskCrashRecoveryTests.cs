using System.Diagnostics;
using System.Text;
using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.ZendeskFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>
/// The real executable killed (SIGKILL) between fetching a page and committing it, then restarted:
/// no ticket is missing and none is counted twice.
/// </summary>
public sealed class ZendeskCrashRecoveryTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task A_worker_killed_between_fetch_and_commit_resumes_from_the_last_committed_page()
    {
        await using var fake = await ZendeskFake.StartAsync();
        fake.PageSize = 50;
        var t0 = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        fake.Add(Enumerable.Range(1, 250).Select(i => new FakeTicket(i, t0.AddMinutes(i), t0.AddMinutes(i), "open", "normal", "web", [], 10, 10)));
        var signal = Path.Combine(Path.GetTempPath(), $"incidentdesk-hold-{Guid.NewGuid():N}");

        using (var first = CliProcess.Start(["serve"], Environment(fake, new()
        {
            ["Ingestion__HoldBeforeCommitPage"] = "2",
            ["Ingestion__HoldSignalFile"] = signal,
        })))
        {
            try
            {
                await Eventually.Until(() => Task.FromResult(File.Exists(signal) || first.HasExited), done => done, TimeSpan.FromSeconds(60), "the poll held before committing page 2");
                first.HasExited.Should().BeFalse(await Output(first));
                (await Count()).Should().Be(50, "page 1 was committed, page 2 was fetched but not");
                first.Kill(); // SIGKILL: no shutdown hooks, no flush
                await first.WaitForExitAsync();
            }
            finally
            {
                if (!first.HasExited)
                    first.Kill();
            }
        }
        var cursorAfterPage1 = fake.Server.Requests.Last();
        (await Count()).Should().Be(50, "nothing of page 2 survived the kill");

        var port = LocalPostgresCluster.FreePort();
        using var second = CliProcess.Start(["serve"], Environment(fake, new() { ["Urls"] = $"http://127.0.0.1:{port}" }));
        try
        {
            await Eventually.Until(Count, n => n == 250 || second.HasExited, TimeSpan.FromSeconds(60), "all 250 tickets after the restart");
            second.HasExited.Should().BeFalse();
            var ids = await Query<long>("SELECT external_id::bigint FROM contacts WHERE source = 'zendesk'");
            ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 250).Select(i => (long)i));

            var requests = fake.Server.Requests.ToList();
            requests.Count(r => r.Contains("start_time=", StringComparison.Ordinal) && r.Contains("incremental/tickets", StringComparison.Ordinal))
                .Should().Be(1, "the restart resumed from the saved cursor, not from the start");
            requests.Count(r => r == cursorAfterPage1).Should().BeGreaterThanOrEqualTo(2, "the uncommitted page was fetched again");

            // The restarted worker counted only what it wrote: pages 2-5.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var metrics = await http.GetStringAsync("/metrics");
            metrics.Should().Contain("incidentdesk_tickets_ingested_total{source=\"zendesk\"} 200");
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
            File.Delete(signal);
        }
    }

    private Dictionary<string, string?> Environment(ZendeskFake fake, Dictionary<string, string?> extra)
    {
        var env = fake.Settings("Ticketing__Zendesk__");
        env["ConnectionStrings__IncidentDesk"] = database.ConnectionString;
        env["Urls"] = "http://127.0.0.1:0";
        env["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in extra)
            env[k] = v;
        return env;
    }

    private static async Task<string> Output(Process p) => p.HasExited ? await p.StandardError.ReadToEndAsync() : "";

    private async Task<long> Count() => (await Query<long>("SELECT count(*) FROM contacts WHERE source = 'zendesk'")).Single();

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

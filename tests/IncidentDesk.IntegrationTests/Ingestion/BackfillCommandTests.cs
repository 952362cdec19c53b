using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Ingestion.Fakes;
using static IncidentDesk.IntegrationTests.Ingestion.Fakes.ZendeskFake;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary><c>incidentdesk backfill</c> run as the real executable against the Zendesk fake.</summary>
public sealed class BackfillCommandTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task Backfill_imports_everything_since_the_date_and_a_second_run_writes_nothing()
    {
        await using var fake = await ZendeskFake.StartAsync();
        fake.PageSize = 25;
        var t0 = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        fake.Add(Enumerable.Range(1, 120).Select(i => new FakeTicket(i, t0.AddHours(i), t0.AddHours(i), "solved", "low", "email", [], 5, 5)));
        var env = fake.Settings("Ticketing__Zendesk__");
        env["ConnectionStrings__IncidentDesk"] = database.ConnectionString;
        env["Logging__LogLevel__Default"] = "Warning";

        // Ticket 1..23 changed before the date: not wanted.
        var since = t0.AddHours(24).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var first = await CliProcess.RunAsync(["backfill", "zendesk", "--since", since], env);
        first.ExitCode.Should().Be(0, first.StdErr + first.StdOut);
        first.StdOut.Should().Contain("zendesk: 97 records read, 97 written");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM contacts WHERE source = 'zendesk'")).Should().Be(97);
        (await connection.ExecuteScalarAsync<long>("SELECT min(external_id::int) FROM contacts")).Should().Be(24);

        var again = await CliProcess.RunAsync(["backfill", "zendesk", "--since", since], env);
        again.ExitCode.Should().Be(0, again.StdErr);
        again.StdOut.Should().Contain("97 records read, 0 written");
    }

    [PostgresTheory]
    [InlineData("zendesk", "yesterday-ish", "is not a date")]
    [InlineData("jira", "2026-11-01", "source 'jira' is not configured (configured: zendesk)")]
    public async Task Backfill_refuses_bad_input_with_one_clear_line(string source, string since, string message)
    {
        await using var fake = await ZendeskFake.StartAsync();
        var env = fake.Settings("Ticketing__Zendesk__");
        env["ConnectionStrings__IncidentDesk"] = database.ConnectionString;
        var result = await CliProcess.RunAsync(["backfill", source, "--since", since], env);
        result.ExitCode.Should().Be(2);
        result.StdErr.Should().Contain(message);
    }
}

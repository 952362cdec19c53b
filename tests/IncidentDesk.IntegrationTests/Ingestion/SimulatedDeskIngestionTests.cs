using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The simulated desk (what <c>make run</c> uses) feeding the real service's contacts table.</summary>
public sealed class SimulatedDeskIngestionTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task The_simulated_desk_fills_contacts_with_tickets_calls_and_ratings_of_many_channels()
    {
        await using var service = await TestService.StartAsync(database, new Dictionary<string, string?>
        {
            ["Ticketing:Simulated:Seed"] = "3",
            ["Ticketing:Simulated:PollInterval"] = "00:00:01",
            ["Ticketing:Simulated:History"] = "2.00:00:00",
            ["Ticketing:Simulated:ContactsPerDay"] = "300",
        });
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await Eventually.Until(
            () => connection.ExecuteScalarAsync<string?>("SELECT cursor FROM ingestion_sources WHERE source = 'simulated'"),
            c => c is not null && long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
            TimeSpan.FromSeconds(30), "the simulated desk caught up to now");

        var channels = (await connection.QueryAsync<string>("SELECT DISTINCT channel FROM contacts WHERE source = 'simulated'")).ToList();
        channels.Should().Contain(["email", "phone", "messenger:telegram", "messenger:viber", "messenger:instagram"]);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM contacts WHERE kind = 'call' AND wait_seconds IS NOT NULL AND answered IS NOT NULL"))
            .Should().BePositive();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM contact_ratings WHERE source = 'simulated'")).Should().BePositive();
        var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM contacts WHERE created_at >= now() - interval '2 days'");
        total.Should().BeInRange(150, 1200, "about two days at 300 a weekday");
    }
}

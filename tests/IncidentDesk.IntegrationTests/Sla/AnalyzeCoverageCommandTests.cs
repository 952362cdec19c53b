using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Sla;
using IncidentDesk.Ticketing;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary><c>incidentdesk analyze coverage</c> as a real process against the test database.</summary>
public sealed class AnalyzeCoverageCommandTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task Prints_the_out_of_hours_share_and_the_decision_tree_recommendation()
    {
        var alerts = Directory.CreateTempSubdirectory("sla-analyze-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(alerts.FullName, SlaRulesFile.FileName), """
                calendars:
                  office:
                    time_zone: Europe/Berlin
                    hours: { mon-fri: "09:00-18:00" }
                rules:
                  - name: coverage
                    kind: out_of_hours_share
                    per_channel: false
                    window: 28d
                    target: 0.05
                    calendar: office
                """);
            // The command reads the real clock: place contacts on a recent Wednesday 11:00 and the Saturday after at 03:00, Berlin time.
            var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).DateTime);
            var wednesday = today.AddDays(-14 - ((int)today.DayOfWeek - (int)DayOfWeek.Wednesday + 7) % 7);
            DateTimeOffset Local(DateOnly day, int hour) => new(day.ToDateTime(new TimeOnly(hour, 0)), berlin.GetUtcOffset(day.ToDateTime(new TimeOnly(hour, 0))));
            var contacts = Enumerable.Range(0, 18).Select(i => Contact($"w{i}", "email", Local(wednesday, 11).AddMinutes(i), "medium")).ToList();
            contacts.Add(Contact("s1", "messenger:telegram", Local(wednesday.AddDays(3), 3), "critical"));
            contacts.Add(Contact("s2", "chat", Local(wednesday.AddDays(3), 4), "low"));
            await new ContactStore(database.DataSource, TimeProvider.System).CommitPageAsync("sim", null, contacts, [], default);

            var result = await CliProcess.RunAsync(["analyze", "coverage", "--days", "28"], new Dictionary<string, string?>
            {
                ["ConnectionStrings__IncidentDesk"] = database.ConnectionString,
                ["Paths__Alerts"] = alerts.FullName,
            });

            result.ExitCode.Should().Be(0, result.StdErr);
            result.StdOut.Should().Contain("10.0 % of 20", "2 of 20 contacts fell on Saturday night");
            result.StdOut.Should().Contain("yes (1 critical contacts)");
            result.StdOut.Should().Contain("Recommendation: 24/7: in-house if control matters, outsourcing with SLAs if the budget is tight (24_7)");
            result.StdOut.Should().MatchRegex(@"messenger:telegram\s*│\s*1\s*│\s*1\s*│\s*100\.0 %");
            result.StdOut.Should().MatchRegex(@"11:00\s*│\s*·\s*│\s*·\s*│\s*18\s*│", "18 contacts on Wednesday 11:00, inside business hours");
        }
        finally
        {
            alerts.Delete(recursive: true);
        }
    }

    [PostgresFact]
    public async Task A_broken_rules_file_stops_it_with_path_and_line()
    {
        var alerts = Directory.CreateTempSubdirectory("sla-analyze-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(alerts.FullName, SlaRulesFile.FileName), "rules:\n  - name: x\n    kind: nope\n    window: 1h\n    target: 0.5\n");
            var result = await CliProcess.RunAsync(["analyze", "coverage"], new Dictionary<string, string?>
            {
                ["ConnectionStrings__IncidentDesk"] = database.ConnectionString,
                ["Paths__Alerts"] = alerts.FullName,
            });
            result.ExitCode.Should().Be(2);
            result.StdErr.Should().Contain("sla-rules.yaml:3: rule 'x': unknown kind 'nope'");
        }
        finally
        {
            alerts.Delete(recursive: true);
        }
    }

    private static Contact Contact(string id, string channel, DateTimeOffset created, string priority) => new()
    {
        Source = "sim",
        ExternalId = id,
        Channel = channel,
        Priority = priority,
        Status = "solved",
        CreatedAt = created,
        SourceUpdatedAt = created,
    };
}

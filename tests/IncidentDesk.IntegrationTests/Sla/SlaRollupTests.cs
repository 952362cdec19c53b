using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Sla;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary>The incremental path (hourly rollups + edges + live unanswered) gives exactly the naive full-scan answer.</summary>
public sealed class SlaRollupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 30, 11, 17, 0, TimeSpan.Zero);

    private const string Rules = """
          - name: business
            kind: response_within
            scope: { channels: [email, chat] }
            window: 7d
            within: 2h
            target: 0.8
            basis: business
            calendar: office
            min_samples: 1
          - name: coverage
            kind: out_of_hours_share
            per_channel: false
            window: 3d
            target: 0.05
            calendar: office
            min_samples: 1
          - name: csat
            kind: csat
            window: 2d
            target: 0.8
            min_samples: 1
        """;

    [PostgresFact]
    public async Task Rollups_stay_equal_to_a_full_scan_while_contacts_change_and_the_window_slides()
    {
        // The history was ingested an hour before the first cycle, i.e. before the change-scan overlap.
        await using var s = await SlaScenario.CreateAsync(T0.AddHours(-1));
        var random = new Random(7);
        var contacts = Enumerable.Range(0, 600).Select(i =>
        {
            var created = T0.AddMinutes(-random.Next(0, 9 * 24 * 60));
            var answered = random.Next(4) > 0 ? created.AddMinutes(random.Next(1, 600)) : (DateTimeOffset?)null;
            return s.Ticket(random.Next(2) == 0 ? "email" : "chat", created, answered < T0 ? answered : null, onHold: random.Next(5) == 0 ? 1800 : null);
        }).ToList();
        var ratings = contacts.Where((_, i) => i % 3 == 0).Select(c => new IncidentDesk.Ticketing.ContactRating(c.Source, c.ExternalId, random.Next(5) > 0, c.CreatedAt.AddHours(1))).Where(r => r.RatedAt < T0).ToList();
        await s.IngestAsync(contacts, ratings);
        s.Time.Advance(TimeSpan.FromHours(1));
        var set = SlaScenario.Rules(Rules);

        var first = await s.EvaluateAsync(set);
        first.BucketsRecomputed.Should().Be((7 + 3 + 4) * 288 + 3, "the first cycle builds each rule's lookback, 5-minute bucket by bucket");
        await AssertEqualToFullScan(s, set, first);

        // Ten minutes later: some tickets get their first response, one old ticket is re-read, new ones arrive.
        s.Time.Advance(TimeSpan.FromMinutes(10));
        var answeredNow = contacts.Where(c => c.FirstResponseAt is null).Take(30)
            .Select(c => c with { FirstResponseAt = s.Now.AddMinutes(-1), SourceUpdatedAt = s.Now }).ToList();
        var fresh = Enumerable.Range(0, 20).Select(i => s.Ticket("chat", s.Now.AddMinutes(-i), i % 2 == 0 ? s.Now : null)).ToList();
        await s.IngestAsync(answeredNow.Concat(fresh).ToList(), [new IncidentDesk.Ticketing.ContactRating("sim", fresh[0].ExternalId, false, s.Now.AddMinutes(-1))]);
        var second = await s.EvaluateAsync(set);
        second.BucketsRecomputed.Should().BeLessThan(first.BucketsRecomputed / 4, "only the hours whose contacts changed are recomputed");
        await AssertEqualToFullScan(s, set, second);

        // Two hours later, nothing ingested: the last batch is still inside the change-scan overlap and is
        // read once more; after that the window slides with nothing recomputed, and the answer still matches.
        s.Time.Advance(TimeSpan.FromHours(2));
        var third = await s.EvaluateAsync(set);
        third.BucketsRecomputed.Should().BeLessThanOrEqualTo(second.BucketsRecomputed);
        s.Time.Advance(TimeSpan.FromMinutes(1));
        var fourth = await s.EvaluateAsync(set);
        fourth.BucketsRecomputed.Should().Be(0);
        await AssertEqualToFullScan(s, set, fourth);
    }

    [PostgresFact]
    public async Task Changing_a_rule_rebuilds_its_rollups()
    {
        await using var s = await SlaScenario.CreateAsync(T0);
        await s.IngestAsync(Enumerable.Range(0, 10).Select(i => s.Ticket("email", T0.AddHours(-3 - i), T0.AddHours(-3 - i).AddMinutes(10 * i))).ToList());
        var before = await s.EvaluateAsync(SlaScenario.Rules(Rules));
        var after = await s.EvaluateAsync(SlaScenario.Rules(Rules.Replace("within: 2h", "within: 30m", StringComparison.Ordinal).Replace("    basis: business\n    calendar: office\n", "", StringComparison.Ordinal)));
        before.Results.Single(r => r.Rule.Name == "business" && r.Channel == "email").Value.Should().Be(1.0);
        after.Results.Single(r => r.Rule.Name == "business" && r.Channel == "email").Value.Should().BeApproximately(4.0 / 10, 1e-9, "0–30 min responses: i = 0..3");
    }

    private static async Task AssertEqualToFullScan(SlaScenario s, SlaRuleSet set, SlaEvaluator.CycleReport report)
    {
        foreach (var rule in set.Rules)
        {
            var naive = await s.NaiveAsync(set, rule.Name, s.Now - rule.Window);
            naive.Values.Sum(t => t.Samples).Should().BeGreaterThan(0, $"{rule.Name} has data to compare");
            foreach (var result in report.Results.Where(r => r.Rule.Name == rule.Name))
            {
                var expected = naive.GetValueOrDefault(result.Channel);
                result.Samples.Should().Be(expected.Samples, $"{rule.Name}/{result.Channel} samples");
                result.Value.Should().Be(expected.Share, $"{rule.Name}/{result.Channel} value");
            }
        }
    }
}

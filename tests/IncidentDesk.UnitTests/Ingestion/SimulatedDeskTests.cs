using IncidentDesk.Ticketing;
using IncidentDesk.Ticketing.Simulated;

namespace IncidentDesk.UnitTests.Ingestion;

public sealed class SimulatedDeskTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_same_seed_and_window_give_the_same_contacts()
    {
        var o = new SimulatedDeskOptions { Seed = 7 };
        var a = SimulatedDeskSource.Generate(o, Monday, Monday.AddDays(2), Monday.AddDays(3));
        var b = SimulatedDeskSource.Generate(o, Monday, Monday.AddDays(2), Monday.AddDays(3));
        a.Contacts.Should().NotBeEmpty().And.Equal(b.Contacts);
        SimulatedDeskSource.Generate(new SimulatedDeskOptions { Seed = 8 }, Monday, Monday.AddDays(2), Monday.AddDays(3)).Contacts
            .Should().NotEqual(a.Contacts, "another seed is another desk");
    }

    [Fact]
    public void Time_passing_only_moves_contacts_forward_never_renames_them()
    {
        var o = new SimulatedDeskOptions();
        var early = SimulatedDeskSource.Generate(o, Monday.AddHours(9), Monday.AddHours(12), Monday.AddHours(12));
        var later = SimulatedDeskSource.Generate(o, Monday.AddHours(9), Monday.AddHours(12), Monday.AddDays(2));
        var laterById = later.Contacts.ToDictionary(c => c.ExternalId);
        foreach (var c in early.Contacts)
        {
            laterById.Should().ContainKey(c.ExternalId);
            laterById[c.ExternalId].CreatedAt.Should().Be(c.CreatedAt);
            laterById[c.ExternalId].SourceUpdatedAt.Should().BeOnOrAfter(c.SourceUpdatedAt);
        }
        early.Contacts.Count(c => c.FirstResponseAt is null).Should().BeGreaterThan(0, "some tickets are still waiting at 12:00");
        later.Contacts.Where(c => c.Kind == ContactKind.Ticket).Should().OnlyContain(c => c.FirstResponseAt != null, "two days later all are answered");
    }

    [Theory]
    [InlineData(0.03)]
    [InlineData(0.20)]
    public void The_out_of_hours_share_follows_the_configuration(double share)
    {
        var o = new SimulatedDeskOptions { OutOfHoursShare = share, BurstProbability = 0, ContactsPerDay = 1000 };
        var contacts = SimulatedDeskSource.Generate(o, Monday, Monday.AddDays(28), Monday.AddDays(30)).Contacts;
        var outside = contacts.Count(c => c.CreatedAt.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || c.CreatedAt.Hour is < 9 or >= 18);
        ((double)outside / contacts.Count).Should().BeApproximately(share, 0.01);
        (contacts.Count / 28.0).Should().BeInRange(750, 900, "weekdays 1000, weekend days a third");
    }

    [Fact]
    public void The_mix_has_messenger_tickets_and_phone_calls_and_bursts_breach_answer_times()
    {
        var calm = new SimulatedDeskOptions { BurstProbability = 0 };
        var stormy = new SimulatedDeskOptions { BurstProbability = 1 };
        var window = (From: Monday.AddHours(9), To: Monday.AddHours(18), Now: Monday.AddDays(3));
        var contacts = SimulatedDeskSource.Generate(calm, window.From, window.To, window.Now).Contacts;
        contacts.Select(c => c.Channel).Should().Contain([Channels.Telegram, Channels.Email, Channels.Phone]);
        contacts.Where(c => c.Channel == Channels.Phone).Should().OnlyContain(c => c.Kind == ContactKind.Call && c.WaitSeconds != null);

        static double Median(IEnumerable<Contact> cs) => cs.Where(c => c.Kind == ContactKind.Ticket).Select(c => (c.FirstResponseAt!.Value - c.CreatedAt).TotalMinutes).Order().ElementAt(cs.Count(c => c.Kind == ContactKind.Ticket) / 2);
        Median(SimulatedDeskSource.Generate(stormy, window.From, window.To, window.Now).Contacts).Should().BeGreaterThan(3 * Median(contacts));
    }
}

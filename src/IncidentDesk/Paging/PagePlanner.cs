using IncidentDesk.Incidents;
using IncidentDesk.OnCall;

namespace IncidentDesk.Paging;

/// <summary>Which pages a round sends: every enabled channel a person wants, or any enabled channel they have an address for.</summary>
public sealed class PagePlanner(IEnumerable<IPager> pagers)
{
    private readonly HashSet<string> enabled = pagers.Select(p => p.Channel).ToHashSet();

    public bool IsEnabled(string channel) => enabled.Contains(channel);

    public IReadOnlyList<NewPage> Plan(Incident incident, IEnumerable<Person> people, int attempt, int level)
    {
        var pages = new List<NewPage>();
        foreach (var person in people)
        {
            var channels = person.Notify.Where(enabled.Contains).ToList();
            // Nobody should go unpaged because their preferred channel is switched off on this installation.
            if (channels.Count == 0)
                channels = AllChannels(person).Where(enabled.Contains).Take(1).ToList();
            foreach (var channel in channels)
                pages.Add(For(incident.Id, person, channel, attempt, level, incident.Title, incident.Severity, incident.Summary));
        }
        return pages;
    }

    /// <summary>The same page on the person's other channel, or null when they have no other reachable one.</summary>
    public NewPage? Fallback(ClaimedPage page, Person person)
    {
        var other = AllChannels(person).FirstOrDefault(c => c != page.Channel && enabled.Contains(c));
        return other is null ? null : For(page.IncidentId, person, other, page.Attempt, page.Level, page.Title, page.Severity, page.Summary);
    }

    private static NewPage For(long incidentId, Person person, string channel, int attempt, int level, string title, string severity, string? summary) =>
        new(incidentId, person.Id, person.Name, channel, channel == "slack" ? person.Slack! : person.Email!, attempt, level, title, severity, summary);

    private static IEnumerable<string> AllChannels(Person person)
    {
        if (person.Slack is not null)
            yield return "slack";
        if (person.Email is not null)
            yield return "email";
    }
}

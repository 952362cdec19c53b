using System.Globalization;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Simulated;

/// <summary>
/// Generates a support desk's contacts from a seed: a daily and weekly load curve, a configurable
/// out-of-hours share, a channel mix and occasional bursts in which answers are slow enough to breach
/// SLAs. Each hour is generated from its own seed, so regenerating an hour yields the same contacts;
/// every poll regenerates the last few hours as well, which is how tickets later get their first
/// response, solution and rating (the upsert writes only what changed).
/// Cursor: the end of the last generated window (unix seconds).
/// </summary>
public sealed class SimulatedDeskSource(IOptions<SimulatedDeskOptions> options, TimeProvider time) : IContactSource
{
    public const string Name = "simulated";

    // Tickets change for this long after creation (answer, solve, rate); older hours are final.
    private static readonly TimeSpan Lookback = TimeSpan.FromHours(30);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public string Source => Name;

    public string CursorKey => Name;

    // Generated from `since`, without the look-back (there is nothing before it to revisit).
    public string CursorFrom(DateTimeOffset since) => (since + Lookback).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        var generatedUntil = cursor is null ? now - o.History : DateTimeOffset.FromUnixTimeSeconds(long.Parse(cursor, CultureInfo.InvariantCulture));
        var from = cursor is null ? generatedUntil : generatedUntil - Lookback;
        var to = generatedUntil + MaxWindow < now ? generatedUntil + MaxWindow : now;
        var page = Generate(o, from, to, now);
        return Task.FromResult(new SourcePage(page.Contacts, page.Ratings, to.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), CaughtUp: to >= now));
    }

    /// <summary>The contacts created in [<paramref name="from"/>, <paramref name="to"/>) as they stand at <paramref name="now"/>.</summary>
    public static (List<Contact> Contacts, List<ContactRating> Ratings) Generate(SimulatedDeskOptions o, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        var contacts = new List<Contact>();
        var ratings = new List<ContactRating>();
        var firstHour = from.ToUnixTimeSeconds() / 3600;
        var lastHour = (to.ToUnixTimeSeconds() - 1) / 3600;
        var mix = o.ChannelMix.Where(m => m.Value > 0).ToList();
        var mixTotal = mix.Sum(m => m.Value);
        for (var hour = firstHour; hour <= lastHour; hour++)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(hour * 3600);
            // HashCode is randomized per process; the hour's seed must be the same in every process.
            var random = new Random(unchecked((int)(o.Seed * 1_000_003L ^ hour * 2_654_435_761L)));
            var burst = random.NextDouble() < o.BurstProbability;
            var count = Poisson(random, HourlyRate(o, start) * (burst ? 4 : 1));
            for (var n = 0; n < count; n++)
            {
                var created = start.AddSeconds(random.Next(3600));
                var channel = Pick(random, mix, mixTotal);
                var contact = channel == Channels.Phone ? Call(random, hour, n, created, burst, now) : Ticket(random, hour, n, created, channel, burst, now, ratings);
                if (contact is not null && created >= from && created < to)
                    contacts.Add(contact);
            }
        }
        var kept = contacts.Select(c => c.ExternalId).ToHashSet();
        return (contacts, ratings.Where(r => kept.Contains(r.ExternalId)).ToList());
    }

    /// <summary>Expected contacts in the hour starting at <paramref name="start"/>: the daily/weekly curve, scaled so out-of-hours gets its share.</summary>
    public static double HourlyRate(SimulatedDeskOptions o, DateTimeOffset start)
    {
        var weekend = start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var h = start.Hour;
        var business = !weekend && h is >= 9 and < 18;
        // Business hours: a morning peak around 10:00 and a smaller one around 14:00.
        double[] curve = [0.8, 1.3, 1.2, 0.9, 1.0, 1.15, 1.0, 0.85, 0.75];
        var weekly = o.ContactsPerDay * (5 + 2.0 / 3); // weekend days carry a third of a weekday
        var businessHoursPerWeek = 45.0;
        var otherHoursPerWeek = 168 - businessHoursPerWeek;
        return business
            ? weekly * (1 - o.OutOfHoursShare) / businessHoursPerWeek * curve[h - 9]
            : weekly * o.OutOfHoursShare / otherHoursPerWeek;
    }

    private static Contact? Ticket(Random random, long hour, int n, DateTimeOffset created, string channel, bool burst, DateTimeOffset now, List<ContactRating> ratings)
    {
        var priority = random.NextDouble() switch { < 0.35 => Priorities.Low, < 0.8 => Priorities.Medium, < 0.95 => Priorities.High, _ => Priorities.Critical };
        // Log-normal answer times: chat minutes, e-mail hours; a burst makes everything ~6x slower.
        var medianMinutes = channel is Channels.Chat or Channels.Telegram or Channels.Viber or Channels.Instagram ? 4.0 : 45.0;
        var responseMinutes = medianMinutes * Math.Exp(Gaussian(random) * 0.8) * (burst ? 6 : 1);
        var firstResponse = created.AddMinutes(responseMinutes);
        var solved = firstResponse.AddMinutes(30 + random.NextDouble() * 600);
        var tech = random.NextDouble() < (burst ? 0.10 : 0.03);
        var agentError = random.NextDouble() < (burst ? 0.06 : 0.015);
        var rateRoll = random.NextDouble();
        var goodRoll = random.NextDouble();
        var id = string.Create(CultureInfo.InvariantCulture, $"{hour}-{n}");

        // Every draw above happens whatever the time, so later contacts of the hour stay the same.
        if (created > now)
            return null;
        var answered = firstResponse <= now;
        var isSolved = solved <= now;
        var ratedAt = solved.AddHours(2);
        if (isSolved && rateRoll < 0.3 && ratedAt <= now)
            ratings.Add(new ContactRating(Name, id, goodRoll < (burst ? 0.55 : 0.88), ratedAt));
        return new Contact
        {
            Source = Name,
            ExternalId = id,
            Channel = channel,
            Priority = priority,
            Status = isSolved ? Statuses.Solved : answered ? Statuses.Pending : Statuses.New,
            Queue = tech ? "tech" : "support",
            CreatedAt = created,
            FirstResponseAt = answered ? firstResponse : null,
            SolvedAt = isSolved ? solved : null,
            EscalatedToTech = tech && answered,
            EscalatedAgentError = agentError && answered,
            SourceUpdatedAt = isSolved ? solved : answered ? firstResponse : created,
        };
    }

    private static Contact? Call(Random random, long hour, int n, DateTimeOffset created, bool burst, DateTimeOffset now)
    {
        var wait = (int)(Math.Exp(Gaussian(random) * 0.9) * (burst ? 120 : 15));
        var patience = 30 + random.Next(240);
        var abandoned = wait > patience;
        var talk = 60 + random.Next(600);
        var agentNo = random.Next(1, 9);
        var ended = created.AddSeconds(abandoned ? patience : wait + talk);
        if (ended > now)
            return null; // a call becomes a contact when it ends, as queue_log and the Calls list report them
        return new Contact
        {
            Source = Name,
            ExternalId = string.Create(CultureInfo.InvariantCulture, $"{hour}-{n}"),
            Kind = ContactKind.Call,
            Channel = Channels.Phone,
            Status = Statuses.Closed,
            Queue = "hotline",
            CreatedAt = created,
            FirstResponseAt = abandoned ? null : created.AddSeconds(wait),
            SolvedAt = ended,
            WaitSeconds = abandoned ? patience : wait,
            TalkSeconds = abandoned ? 0 : talk,
            Answered = !abandoned,
            Abandoned = abandoned,
            Agent = abandoned ? null : string.Create(CultureInfo.InvariantCulture, $"agent-{agentNo}"),
            SourceUpdatedAt = ended,
        };
    }

    private static string Pick(Random random, List<KeyValuePair<string, double>> mix, double total)
    {
        var x = random.NextDouble() * total;
        foreach (var (channel, weight) in mix)
        {
            if ((x -= weight) < 0)
                return channel;
        }
        return mix[^1].Key;
    }

    private static int Poisson(Random random, double lambda)
    {
        if (lambda > 50)
            return Math.Max(0, (int)Math.Round(lambda + Math.Sqrt(lambda) * Gaussian(random)));
        var limit = Math.Exp(-lambda);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
            k++;
        return k;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

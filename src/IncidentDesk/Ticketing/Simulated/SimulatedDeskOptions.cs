using IncidentDesk.Configuration;

namespace IncidentDesk.Ticketing.Simulated;

/// <summary>The built-in simulated support desk (section <c>Ticketing:Simulated</c>): a seeded, realistic stream of contacts.</summary>
public sealed class SimulatedDeskOptions : IValidatedOptions
{
    public const string Section = "Ticketing:Simulated";

    public int Seed { get; set; } = 42;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Average contacts per weekday; weekends get a third of it.</summary>
    public int ContactsPerDay { get; set; } = 400;

    /// <summary>Share of contacts outside business hours (Mon–Fri 09:00–18:00 UTC); the handbook's 24/7 threshold is 0.05.</summary>
    public double OutOfHoursShare { get; set; } = 0.07;

    /// <summary>Chance that an hour is a burst: four times the load and slow answers, so SLAs breach.</summary>
    public double BurstProbability { get; set; } = 0.03;

    /// <summary>History generated on the first poll, so that SLA windows have data at once.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Relative weights of the channels; phone contacts are calls.</summary>
    public Dictionary<string, double> ChannelMix { get; set; } = new()
    {
        [Channels.Email] = 30,
        [Channels.Web] = 15,
        [Channels.Chat] = 20,
        [Channels.Phone] = 20,
        [Channels.Telegram] = 6,
        [Channels.Viber] = 3,
        [Channels.Instagram] = 4,
        [Channels.Social] = 2,
    };

    public IEnumerable<string> Validate(string section)
    {
        if (PollInterval < TimeSpan.FromSeconds(1))
            yield return $"{section}:PollInterval: must be at least 00:00:01";
        if (ContactsPerDay is < 1 or > 1_000_000)
            yield return $"{section}:ContactsPerDay: must be between 1 and 1000000";
        if (OutOfHoursShare is < 0 or > 1)
            yield return $"{section}:OutOfHoursShare: must be between 0 and 1";
        if (BurstProbability is < 0 or > 1)
            yield return $"{section}:BurstProbability: must be between 0 and 1";
        if (History < TimeSpan.Zero || History > TimeSpan.FromDays(366))
            yield return $"{section}:History: must be between 00:00:00 and 366.00:00:00";
        if (ChannelMix.Count == 0 || ChannelMix.Values.Sum() <= 0)
            yield return $"{section}:ChannelMix: needs at least one channel with a positive weight";
        foreach (var (channel, weight) in ChannelMix)
        {
            if (!Channels.IsValid(channel))
                yield return $"{section}:ChannelMix:{channel}: not a channel (email, web, chat, phone, social, api, other, messenger:<name>)";
            if (weight < 0)
                yield return $"{section}:ChannelMix:{channel}: weight must not be negative";
        }
    }
}

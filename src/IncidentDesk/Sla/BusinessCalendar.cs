using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentDesk.Sla;

/// <summary>
/// Business hours in an IANA time zone: weekly opening hours (local wall-clock times) minus holiday dates.
/// Opening hours are turned into instants one local day at a time, so a DST change moves them with the
/// wall clock: 09:00–18:00 stays nine hours on the day the clocks change at night, and hours that cross
/// the change (e.g. 00:00–06:00) are one hour shorter or longer, as they are for the people working them.
/// </summary>
public sealed class BusinessCalendar
{
    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeSpan Start, TimeSpan End)>> hours;

    public BusinessCalendar(string name, TimeZoneInfo zone, IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeSpan Start, TimeSpan End)>> hours, IEnumerable<DateOnly> holidays)
    {
        Name = name;
        Zone = zone;
        this.hours = hours;
        Holidays = holidays.ToHashSet();
        var text = new StringBuilder(zone.Id);
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            foreach (var (s, e) in HoursOn(day))
                text.Append(CultureInfo.InvariantCulture, $"|{day}:{s}-{e}");
        }
        foreach (var h in Holidays.Order())
            text.Append(CultureInfo.InvariantCulture, $"|{h:yyyy-MM-dd}");
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    public string Name { get; }
    public TimeZoneInfo Zone { get; }
    public IReadOnlySet<DateOnly> Holidays { get; }

    /// <summary>Changes when the zone, the hours or the holidays change.</summary>
    public string Fingerprint { get; }

    public IReadOnlyList<(TimeSpan Start, TimeSpan End)> HoursOn(DayOfWeek day) => hours.TryGetValue(day, out var h) ? h : [];

    /// <summary>The open intervals that overlap [from, to), clipped to it, in order.</summary>
    public IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> OpenIntervals(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
            yield break;
        // One day of margin either side: a local day's hours can begin before 'from' in UTC terms.
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, Zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, Zone).DateTime).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (Holidays.Contains(day))
                continue;
            foreach (var (s, e) in HoursOn(day.DayOfWeek))
            {
                var start = ToInstant(day.ToDateTime(TimeOnly.MinValue) + s);
                var end = ToInstant(day.ToDateTime(TimeOnly.MinValue) + e);
                if (end <= from || start >= to || end <= start)
                    continue;
                yield return (start < from ? from : start, end > to ? to : end);
            }
        }
    }

    /// <summary>Business time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public TimeSpan BusinessTime(DateTimeOffset from, DateTimeOffset to) =>
        OpenIntervals(from, to).Aggregate(TimeSpan.Zero, (sum, i) => sum + (i.End - i.Start));

    /// <summary>True when the desk is open at <paramref name="at"/>.</summary>
    public bool IsOpen(DateTimeOffset at) => OpenIntervals(at, at.AddTicks(1)).Any();

    /// <summary>
    /// The instant a local wall-clock time happens. In the spring-forward gap the clock jumps over the
    /// time, so it is read with the offset in force before the jump (02:30 becomes 03:30 daylight time);
    /// in the autumn overlap the earlier of the two instants is taken.
    /// </summary>
    internal DateTimeOffset ToInstant(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (Zone.IsInvalidTime(local))
            offset = Zone.GetUtcOffset(local.AddHours(-12));
        else if (Zone.IsAmbiguousTime(local))
            offset = Zone.GetAmbiguousTimeOffsets(local).Max();
        else
            offset = Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

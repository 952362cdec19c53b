using NodaTime;
using NodaTime.TimeZones;

namespace IncidentDesk.OnCall;

/// <summary>Who is on duty at an instant: the shift, its lead and agents after overrides.</summary>
public sealed record OnDuty(
    DateTimeOffset At,
    string TimeZone,
    string Shift,
    DateTimeOffset ShiftStartsAt,
    DateTimeOffset ShiftEndsAt,
    Person Lead,
    IReadOnlyList<Person> Agents,
    IReadOnlyList<string> OverridesApplied);

/// <summary>Pure schedule arithmetic: wall-clock shifts in the schedule's zone, rotations and overrides.</summary>
public static class ScheduleResolver
{
    /// <summary>Resolves who is on duty at <paramref name="at"/>.</summary>
    public static OnDuty Resolve(OnCallSchedule schedule, DateTimeOffset at)
    {
        var zone = schedule.TimeZone;
        var local = Instant.FromDateTimeOffset(at).InZone(zone).LocalDateTime;
        var (shiftIndex, shiftDate) = FindShift(schedule.Shifts, local);
        var shift = schedule.Shifts[shiftIndex];

        // The shift belongs to the date it started on, so a night shift across midnight is one crew throughout.
        var startLocal = shiftDate + shift.Start;
        var endLocal = (shift.End > shift.Start ? shiftDate : shiftDate.PlusDays(1)) + shift.End;
        var period = PeriodIndex(schedule.Rotation, shiftDate);
        var crews = schedule.Rotation.Crews;
        var crew = crews[Mod(shiftIndex + period, crews.Count)];

        var applied = new List<string>();
        Person Swap(string id)
        {
            foreach (var o in schedule.Overrides)
            {
                if (o.Replace == id && local >= o.From && local < o.To)
                {
                    applied.Add($"{o.With} for {o.Replace}{(o.Reason is null ? "" : $" ({o.Reason})")}");
                    return schedule.People[o.With];
                }
            }
            return schedule.People[id];
        }

        var lead = Swap(crew.Lead);
        var agents = crew.Agents.Select(Swap).ToList();
        return new OnDuty(at, zone.Id, shift.Name, ToOffset(startLocal, zone), ToOffset(endLocal, zone), lead, agents, applied);
    }

    /// <summary>The people to page at escalation <paramref name="level"/> (1-based; past the top it stays at the top).</summary>
    public static IReadOnlyList<Person> Escalation(OnCallSchedule schedule, int level, DateTimeOffset at)
    {
        var step = schedule.Escalation[Math.Clamp(level, 1, schedule.Escalation.Count) - 1];
        var people = new List<Person>();
        foreach (var target in step.Notify)
        {
            var person = target == OnCallSchedule.ShiftLeadTarget ? Resolve(schedule, at).Lead : schedule.People[target];
            if (people.All(p => p.Id != person.Id))
                people.Add(person);
        }
        return people;
    }

    private static (int Index, LocalDate Date) FindShift(IReadOnlyList<Shift> shifts, LocalDateTime local)
    {
        var time = local.TimeOfDay;
        for (var i = 0; i < shifts.Count; i++)
        {
            var s = shifts[i];
            if (s.End > s.Start)
            {
                if (time >= s.Start && time < s.End)
                    return (i, local.Date);
            }
            else
            {
                // Crosses midnight (or ends at 24:00): the evening part belongs to today, the morning part to yesterday's shift.
                if (time >= s.Start)
                    return (i, local.Date);
                if (time < s.End)
                    return (i, local.Date.PlusDays(-1));
            }
        }
        throw new InvalidOperationException($"no shift covers {time}; OnCallFile checks coverage");
    }

    private static int PeriodIndex(Rotation rotation, LocalDate date)
    {
        var days = Period.DaysBetween(rotation.StartsOn, date);
        return rotation.Every == RotationPeriod.Daily ? days : (int)Math.Floor(days / 7.0);
    }

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    /// <summary>
    /// Local → instant. In the hour skipped in spring the shift starts at the first valid instant after the gap;
    /// in the hour repeated in autumn it starts at the earlier occurrence (so nobody's shift is shortened).
    /// </summary>
    private static DateTimeOffset ToOffset(LocalDateTime local, DateTimeZone zone) =>
        zone.ResolveLocal(local, Resolvers.LenientResolver).ToDateTimeOffset();
}

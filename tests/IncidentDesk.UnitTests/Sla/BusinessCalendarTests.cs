using IncidentDesk.Sla;

namespace IncidentDesk.UnitTests.Sla;

/// <summary>Business time between two instants: weekends, holidays and DST changes (Europe/Berlin).</summary>
public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static BusinessCalendar Office(params DateOnly[] holidays) => new("office", Berlin, Weekdays((TimeSpan.FromHours(9), TimeSpan.FromHours(18))), holidays);

    private static Dictionary<DayOfWeek, IReadOnlyList<(TimeSpan, TimeSpan)>> Weekdays(params (TimeSpan, TimeSpan)[] hours) =>
        new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<(TimeSpan, TimeSpan)>)hours);

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public void Within_one_working_day_business_time_is_wall_time()
    {
        // Tue 2026-03-10 10:00–11:30 CET = 09:00–10:30 UTC.
        Office().BusinessTime(Utc(2026, 3, 10, 9), Utc(2026, 3, 10, 10, 30)).Should().Be(TimeSpan.FromMinutes(90));
    }

    [Fact]
    public void A_weekend_in_between_counts_nothing()
    {
        // Fri 2026-03-13 17:00 CET (16:00Z) → Mon 2026-03-16 10:00 CET (09:00Z): 1 h Friday + 1 h Monday.
        Office().BusinessTime(Utc(2026, 3, 13, 16), Utc(2026, 3, 16, 9)).Should().Be(TimeSpan.FromHours(2));
    }

    [Fact]
    public void A_weekend_with_the_spring_DST_change_still_gives_the_wall_clock_hours()
    {
        // Fri 2026-03-27 17:00 CET (16:00Z) → Mon 2026-03-30 10:00 CEST (08:00Z). Clocks go forward on Sunday 29 March.
        // 64 hours pass on the calendar, 2 business hours; Monday opens at 07:00Z (09:00 CEST), not 08:00Z.
        var from = Utc(2026, 3, 27, 16);
        var to = Utc(2026, 3, 30, 8);
        (to - from).Should().Be(TimeSpan.FromHours(64));
        Office().BusinessTime(from, to).Should().Be(TimeSpan.FromHours(2));
        Office().IsOpen(Utc(2026, 3, 30, 7)).Should().BeTrue("09:00 CEST");
        Office().IsOpen(Utc(2026, 3, 27, 7, 30)).Should().BeFalse("07:30Z is 08:30 CET before the change");
    }

    [Fact]
    public void The_autumn_DST_change_moves_opening_to_the_new_offset()
    {
        // Sunday 25 October 2026 clocks go back. Fri 23 Oct 18:00 CEST = 16:00Z closes; Mon 26 Oct 09:00 CET = 08:00Z opens.
        var office = Office();
        office.OpenIntervals(Utc(2026, 10, 23, 0), Utc(2026, 10, 27, 0)).Should().Equal(
            (Utc(2026, 10, 23, 7), Utc(2026, 10, 23, 16)),
            (Utc(2026, 10, 26, 8), Utc(2026, 10, 26, 17)));
    }

    [Fact]
    public void Hours_across_the_DST_change_are_one_hour_shorter_in_spring_and_longer_in_autumn()
    {
        var night = new BusinessCalendar("night", Berlin,
            new Dictionary<DayOfWeek, IReadOnlyList<(TimeSpan, TimeSpan)>> { [DayOfWeek.Sunday] = [(TimeSpan.Zero, TimeSpan.FromHours(6))] }, []);
        night.BusinessTime(Utc(2026, 3, 28, 12), Utc(2026, 3, 29, 12)).Should().Be(TimeSpan.FromHours(5));
        night.BusinessTime(Utc(2026, 10, 24, 12), Utc(2026, 10, 25, 12)).Should().Be(TimeSpan.FromHours(7));
    }

    [Fact]
    public void Holidays_are_closed()
    {
        // Thu 2026-12-24 and Fri 2026-12-25 holidays: Wed 17:00 CET → Mon 28 Dec 10:00 CET = 1 h + 1 h.
        var office = Office(new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 25));
        office.BusinessTime(Utc(2026, 12, 23, 16), Utc(2026, 12, 28, 9)).Should().Be(TimeSpan.FromHours(2));
        Office().BusinessTime(Utc(2026, 12, 23, 16), Utc(2026, 12, 28, 9)).Should().Be(TimeSpan.FromHours(20), "without the holidays: 1 + 9 + 9 + 1");
    }

    [Fact]
    public void Reversed_or_empty_spans_are_zero()
    {
        Office().BusinessTime(Utc(2026, 3, 10, 12), Utc(2026, 3, 10, 10)).Should().Be(TimeSpan.Zero);
        Office().BusinessTime(Utc(2026, 3, 10, 12), Utc(2026, 3, 10, 12)).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_local_time_in_the_spring_gap_happens_at_the_jump()
    {
        // 02:30 on 29 March 2026 does not exist in Berlin; it is read as 03:30 CEST = 01:30Z.
        Office().ToInstant(new DateTime(2026, 3, 29, 2, 30, 0)).Should().Be(Utc(2026, 3, 29, 1, 30));
        // 02:30 on 25 October 2026 happens twice; the first (CEST, 00:30Z) is taken.
        Office().ToInstant(new DateTime(2026, 10, 25, 2, 30, 0)).Should().Be(Utc(2026, 10, 25, 0, 30));
    }

    [Fact]
    public void The_fingerprint_changes_with_hours_zone_and_holidays()
    {
        var a = Office();
        a.Fingerprint.Should().Be(Office().Fingerprint);
        a.Fingerprint.Should().NotBe(Office(new DateOnly(2026, 1, 1)).Fingerprint);
        a.Fingerprint.Should().NotBe(new BusinessCalendar("office", TimeZoneInfo.FindSystemTimeZoneById("Europe/London"), Weekdays((TimeSpan.FromHours(9), TimeSpan.FromHours(18))), []).Fingerprint);
        a.Fingerprint.Should().NotBe(new BusinessCalendar("office", Berlin, Weekdays((TimeSpan.FromHours(8), TimeSpan.FromHours(18))), []).Fingerprint);
    }
}

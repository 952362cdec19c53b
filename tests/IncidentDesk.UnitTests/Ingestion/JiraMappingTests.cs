using System.Text.Json;
using IncidentDesk.Ticketing.Jira;

namespace IncidentDesk.UnitTests.Ingestion;

public sealed class JiraMappingTests
{
    [Theory]
    [InlineData("Waiting for support", "new", "open")]
    [InlineData("Waiting for customer", "indeterminate", "pending")]
    [InlineData("Escalated", "indeterminate", "open")]
    [InlineData("Resolved", "done", "solved")]
    [InlineData("Canceled", "done", "closed")]
    [InlineData("Triage (renamed)", "new", "new")]
    [InlineData("QA check (renamed)", "indeterminate", "open")]
    [InlineData("Shipped (renamed)", "done", "solved")]
    public void Status_goes_by_name_then_by_category(string name, string category, string expected) =>
        JiraMapping.Status(new JiraStatus(name, new JiraStatusCategory(category))).Should().Be(expected);

    [Fact]
    public void Jira_timestamps_with_an_offset_without_colon_are_read()
    {
        var t = JiraMapping.Time(JsonDocument.Parse("\"2026-12-01T10:15:30.123+0100\"").RootElement);
        t.Should().Be(new DateTimeOffset(2026, 12, 1, 9, 15, 30, 123, TimeSpan.Zero));
    }

    [Fact]
    public void The_jql_bound_is_written_in_the_configured_time_zone_and_keeps_the_site_filter()
    {
        var o = new JiraOptions { Jql = "project = SUP", TimeZone = "Europe/Berlin" };
        JiraTicketSource.JqlFor(o, new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero))
            .Should().Be("(project = SUP) AND updated >= \"2026-12-01 09:00\" ORDER BY updated ASC");
    }

    [Theory]
    [InlineData("{\"value\":\"Yes\",\"id\":\"1\"}", true)]
    [InlineData("{\"value\":\"No\",\"id\":\"2\"}", false)]
    [InlineData("[{\"value\":\"Escalated\"}]", true)]
    [InlineData("[]", false)]
    [InlineData("null", false)]
    [InlineData("true", true)]
    public void A_flag_field_is_set_when_it_holds_a_value_other_than_no(string json, bool expected) =>
        JiraMapping.IsSet(JsonDocument.Parse(json).RootElement).Should().Be(expected);

    [Fact]
    public void A_completed_first_cycle_gives_the_first_response_and_a_breach_in_any_cycle_counts()
    {
        static JiraSlaCycle Cycle(long stopMs, bool breached, long remainingMs) =>
            new(new JiraDate(0, null), new JiraDate(stopMs, null), null, breached, null, null, null, new JiraDuration(stopMs, null), new JiraDuration(remainingMs, null));
        var sla = new JiraSla("2", "Time to first response", null, [Cycle(600_000, false, 60_000), Cycle(900_000, true, -30_000)]);

        JiraMapping.FromSla(sla).Should().Be(new JiraMapping.FirstResponse(DateTimeOffset.FromUnixTimeMilliseconds(600_000), 600, true, false, -30));
    }
}

using IncidentDesk.Telephony.Twilio;
using IncidentDesk.Ticketing;

namespace IncidentDesk.UnitTests.Ingestion;

public sealed class TwilioMappingTests
{
    [Theory]
    [InlineData("Tue, 10 Aug 2010 08:02:17 +0000", "2010-08-10T08:02:17+00:00")]
    [InlineData("Thu, 3 Dec 2026 14:05:00 +0100", "2026-12-03T13:05:00+00:00")]
    [InlineData("Thu, 03 Dec 2026 09:05:00 -0500", "2026-12-03T14:05:00+00:00")]
    [InlineData("Thu, 03 Dec 2026 14:05:00 GMT", "2026-12-03T14:05:00+00:00")]
    public void Times_are_read_as_rfc_2822(string value, string expected) =>
        TwilioMapping.Time(value, "start_time", "CA1")!.Value.ToUniversalTime().Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_time_that_is_not_rfc_2822_is_a_malformed_record() =>
        FluentActions.Invoking(() => TwilioMapping.Time("2026-12-03T14:05:00Z", "start_time", "CA1"))
            .Should().Throw<SourceException>().Which.Kind.Should().Be("malformed");

    [Theory]
    [InlineData("completed", true, false)]
    [InlineData("no-answer", false, true)]
    [InlineData("busy", false, true)]
    [InlineData("canceled", false, true)]
    [InlineData("failed", false, false)]
    public void Final_statuses_map_to_answered_or_abandoned(string status, bool answered, bool abandoned)
    {
        TwilioMapping.IsFinal(status).Should().BeTrue();
        TwilioMapping.Outcome(status).Should().Be((answered, abandoned));
    }

    [Theory]
    [InlineData("queued")]
    [InlineData("ringing")]
    [InlineData("in-progress")]
    public void Calls_still_going_are_not_final(string status) => TwilioMapping.IsFinal(status).Should().BeFalse();

    [Fact]
    public void Only_inbound_parent_calls_count()
    {
        TwilioMapping.IsInboundParent(Call("inbound", null)).Should().BeTrue();
        TwilioMapping.IsInboundParent(Call("inbound", "CA0")).Should().BeFalse();
        TwilioMapping.IsInboundParent(Call("outbound-dial", "CA0")).Should().BeFalse();
        TwilioMapping.IsInboundParent(Call("outbound-api", null)).Should().BeFalse();
    }

    [Fact]
    public void Options_need_credentials_and_a_workspace_for_queue_statistics()
    {
        var problems = new TwilioOptions { TaskQueueSids = ["WQ1"] }.Validate("Telephony:Twilio").ToList();
        problems.Should().Contain(p => p.StartsWith("Telephony:Twilio:AccountSid:", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("Telephony:Twilio:AuthToken:", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("Telephony:Twilio:WorkspaceSid:", StringComparison.Ordinal))
            .And.NotContain(p => p.StartsWith("Telephony:Twilio:BaseUrl:", StringComparison.Ordinal), "api.twilio.com is the default");
        new TwilioOptions { AccountSid = "AC1", AuthToken = "t" }.Validate("Telephony:Twilio").Should().BeEmpty("statistics are off without queues");
    }

    private static TwilioCall Call(string direction, string? parent) => new("CA1", parent, "completed", direction, null, null, null, null, "1");
}

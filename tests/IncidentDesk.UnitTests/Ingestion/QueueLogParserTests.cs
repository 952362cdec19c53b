using IncidentDesk.Telephony;
using IncidentDesk.Ticketing;

namespace IncidentDesk.UnitTests.Ingestion;

public sealed class QueueLogParserTests
{
    // The format of asterisk/documentation Queue-Logs.md: epoch|callid|queue|agent|EVENT|params.
    private const string Sample = """
        1764583200|NONE|support|NONE|QUEUESTART|
        1764583201|1764583201.1|support|NONE|ENTERQUEUE||+4930123456|1
        1764583212|1764583201.1|support|SIP/101|CONNECT|11|1764583212.2|4
        1764583400|1764583201.1|support|SIP/101|COMPLETEAGENT|11|188|1
        1764583300|1764583300.5|support|NONE|ENTERQUEUE||+4930999999|2
        1764583330|1764583300.5|support|SIP/102|RINGNOANSWER|15000
        1764583375|1764583300.5|support|NONE|ABANDON|1|2|75
        1764583500|1764583500.7|billing|NONE|ENTERQUEUE||+4940111111|1
        1764583800|1764583500.7|billing|NONE|EXITWITHTIMEOUT|1|1|300
        1764583600|1764583600.9|support|NONE|ENTERQUEUE||+4940222222|1
        1764583605|1764583600.9|support|SIP/103|CONNECT|5|1764583605.10|2
        1764583700|1764583600.9|support|SIP/103|COMPLETECALLER|5|95|1
        garbage without pipes
        1764583900|1764583900.11|support|SIP/101|COMPLETEAGENT|3|30|1
        1764584000|1764584000.12|support|NONE|ENTERQUEUE||+4940333333|1
        """;

    [Fact]
    public void A_sample_queue_log_becomes_one_call_per_finished_call_with_wait_talk_agent_and_outcome()
    {
        var parser = new QueueLogParser([]);
        var calls = Sample.Split('\n').Select(parser.Apply).OfType<Contact>().ToDictionary(c => c.ExternalId);

        calls.Keys.Should().BeEquivalentTo(["1764583201.1", "1764583300.5", "1764583500.7", "1764583600.9"]);
        calls["1764583201.1"].Should().Match<Contact>(c => c.Answered == true && c.Abandoned == false && c.WaitSeconds == 11 && c.TalkSeconds == 188
            && c.Agent == "SIP/101" && c.Queue == "support" && c.FirstResponseAt == DateTimeOffset.FromUnixTimeSeconds(1764583212)
            && c.Kind == ContactKind.Call && c.Channel == Channels.Phone);
        calls["1764583300.5"].Should().Match<Contact>(c => c.Abandoned == true && c.Answered == false && c.WaitSeconds == 75 && c.Agent == null && c.FirstResponseAt == null);
        calls["1764583500.7"].Should().Match<Contact>(c => c.Abandoned == false && c.Answered == false && c.WaitSeconds == 300 && c.Queue == "billing");
        calls["1764583600.9"].Should().Match<Contact>(c => c.Answered == true && c.WaitSeconds == 5 && c.TalkSeconds == 95 && c.Agent == "SIP/103");

        parser.Open.Keys.Should().Equal("1764584000.12"); // still in the queue
        parser.Rejected.Should().HaveCount(2).And.Contain(r => r.Contains("garbage")).And.Contain(r => r.Contains("1764583900.11"));
        string.Join(",", calls.Values.Select(c => c.ToString())).Should().NotContain("+49", "caller numbers are never kept");
    }
}

using IncidentDesk.Configuration;
using IncidentDesk.Sla;
using IncidentDesk.Telephony.Twilio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IncidentDesk.UnitTests.Sla;

/// <summary><c>incidentdesk check</c> on the rules file together with the Twilio statistics the phone rules read.</summary>
public sealed class SlaRulesCheckTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sla-check-");

    private const string Rules = """
        rules:
          - name: phone-20
            kind: phone_service_level
            scope: { queues: [WQ1] }
            window: 1h
            within: 20s
            target: 0.8
          - name: phone-30
            kind: phone_service_level
            scope: { queues: [WQ2] }
            window: 1h
            within: 30s
            target: 0.8
          - name: phone-asterisk
            kind: phone_service_level
            scope: { sources: [asterisk], queues: [hotline] }
            window: 1h
            within: 45s
            target: 0.8
        """;

    private List<Problem> Run(TwilioOptions twilio)
    {
        File.WriteAllText(Path.Combine(dir.FullName, "sla-rules.yaml"), Rules);
        var provider = new SlaRulesProvider(Options.Create(new PathsOptions { Alerts = dir.FullName }), Options.Create(new SlaOptions()), NullLogger<SlaRulesProvider>.Instance);
        return new SlaRulesCheck(provider, Options.Create(twilio)).Run().ToList();
    }

    [Fact]
    public void A_phone_rule_whose_threshold_twilio_does_not_split_at_is_reported_at_its_line()
    {
        var problems = Run(new TwilioOptions { TaskQueueSids = ["WQ1"], SplitByWaitTime = [20, 60] });
        problems.Select(p => p.ToString()).Should().ContainSingle().Which.Should().Be(
            $"{Path.Combine(dir.FullName, "sla-rules.yaml")}:8: rule 'phone-30': within 30s is not among Telephony:Twilio:SplitByWaitTime (20, 60), " +
            "so Twilio's queue statistics cannot count for it: add it there");
    }

    [Fact]
    public void Without_twilio_statistics_any_threshold_is_fine()
    {
        Run(new TwilioOptions()).Should().BeEmpty();
    }

    public void Dispose() => dir.Delete(recursive: true);
}

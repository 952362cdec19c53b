using IncidentDesk.Sla;

namespace IncidentDesk.UnitTests.Sla;

/// <summary>Verdicts from tallies and the breach-episode state machine.</summary>
public sealed class SlaJudgeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static SlaRule Rule(SlaRuleKind kind, double target, int minSamples = 10) => new()
    {
        Name = "r",
        Kind = kind,
        Window = TimeSpan.FromHours(24),
        Target = target,
        Within = TimeSpan.FromMinutes(30),
        MinSamples = minSamples,
        MaxAbandonRate = 0.05,
        Tolerance = 0.02,
    };

    [Theory]
    [InlineData(80, 100, "ok")]
    [InlineData(79, 100, "breached")]
    [InlineData(9, 9, "insufficient_data")]
    public void Response_within_reaches_the_target_at_exactly_80_percent(long hits, long samples, string status) =>
        SlaJudge.Judge(Rule(SlaRuleKind.ResponseWithin, 0.8), "email", Now, new Tally(samples, hits, 0)).Status.Should().Be(status);

    [Fact]
    public void Agent_error_escalations_must_stay_below_the_limit()
    {
        SlaJudge.Judge(Rule(SlaRuleKind.AgentErrorEscalations, 0.05), "all", Now, new Tally(100, 4, 0)).Status.Should().Be(SlaStatus.Ok);
        SlaJudge.Judge(Rule(SlaRuleKind.AgentErrorEscalations, 0.05), "all", Now, new Tally(100, 5, 0)).Status.Should().Be(SlaStatus.Breached, "5 % is not below 5 %");
    }

    [Fact]
    public void Csat_breaches_when_it_falls_beyond_the_tolerance_even_above_target()
    {
        var rule = Rule(SlaRuleKind.Csat, 0.8);
        var falling = SlaJudge.Judge(rule, "all", Now, new Tally(100, 90, 0), new Tally(100, 93, 0));
        falling.Status.Should().Be(SlaStatus.Breached);
        falling.Detail["trend"].Should().Be("falling");
        SlaJudge.Judge(rule, "all", Now, new Tally(100, 91, 0), new Tally(100, 93, 0)).Status.Should().Be(SlaStatus.Ok, "2 points down is within the tolerance");
        SlaJudge.Judge(rule, "all", Now, new Tally(100, 90, 0), new Tally(5, 5, 0)).Detail["trend"].Should().Be("unknown", "the previous window is too small");
    }

    [Fact]
    public void Phone_service_level_breaches_on_abandonment_alone()
    {
        var result = SlaJudge.Judge(Rule(SlaRuleKind.PhoneServiceLevel, 0.8), "phone", Now, new Tally(100, 90, 6));
        result.Status.Should().Be(SlaStatus.Breached);
        result.Detail["abandon_rate"].Should().Be(0.06);
    }

    [Theory]
    [InlineData(5, 0, "no_24_7")]
    [InlineData(6, 0, "hybrid")]
    [InlineData(6, 1, "24_7")]
    public void Out_of_hours_share_follows_the_decision_tree(long outside, long critical, string decision)
    {
        var result = SlaJudge.Judge(Rule(SlaRuleKind.OutOfHoursShare, 0.05), "all", Now, new Tally(100, outside, critical));
        result.Detail["decision"].Should().Be(decision);
        result.Status.Should().Be(outside > 5 ? SlaStatus.Breached : SlaStatus.Ok);
    }

    [Fact]
    public void An_episode_opens_once_and_recovers_after_the_configured_time_within_target()
    {
        var recover = TimeSpan.FromMinutes(30);
        var (s1, a1) = BreachEpisodes.Step(BreachState.Initial, SlaStatus.Breached, Now, recover);
        a1.Should().Be(BreachAction.OpenIncident);
        var (s2, a2) = BreachEpisodes.Step(s1, SlaStatus.Breached, Now.AddMinutes(1), recover);
        a2.Should().Be(BreachAction.None);
        s2.BreachedSince.Should().Be(Now);
        var (s3, a3) = BreachEpisodes.Step(s2, SlaStatus.Ok, Now.AddMinutes(2), recover);
        a3.Should().Be(BreachAction.None);
        var (s4, a4) = BreachEpisodes.Step(s3, SlaStatus.Ok, Now.AddMinutes(31), recover);
        a4.Should().Be(BreachAction.None, "29 minutes within target is not 30");
        var (s5, a5) = BreachEpisodes.Step(s4, SlaStatus.Ok, Now.AddMinutes(32), recover);
        a5.Should().Be(BreachAction.RecordRecovery);
        s5.IncidentRaised.Should().BeFalse();
        BreachEpisodes.Step(s5, SlaStatus.Breached, Now.AddMinutes(40), recover).Action.Should().Be(BreachAction.OpenIncident, "a new episode");
    }

    [Fact]
    public void Flapping_back_into_breach_restarts_the_recovery_clock_and_opens_nothing()
    {
        var recover = TimeSpan.FromMinutes(30);
        var s = BreachEpisodes.Step(BreachState.Initial, SlaStatus.Breached, Now, recover).Next;
        s = BreachEpisodes.Step(s, SlaStatus.Ok, Now.AddMinutes(10), recover).Next;
        var (back, action) = BreachEpisodes.Step(s, SlaStatus.Breached, Now.AddMinutes(20), recover);
        action.Should().Be(BreachAction.None);
        back = BreachEpisodes.Step(back, SlaStatus.Ok, Now.AddMinutes(25), recover).Next;
        BreachEpisodes.Step(back, SlaStatus.Ok, Now.AddMinutes(45), recover).Action.Should().Be(BreachAction.None, "only 20 minutes since it came back");
        BreachEpisodes.Step(back, SlaStatus.InsufficientData, Now.AddMinutes(60), recover).Next.OkSince.Should().BeNull("too few samples prove nothing");
    }
}

using IncidentDesk.Sla;

namespace IncidentDesk.UnitTests.Sla;

/// <summary>Which changed buckets a rule must recompute: only what cannot have changed may rule a change out.</summary>
public sealed class SlaDirtyBucketTests
{
    private static readonly DateTime Hour = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);

    private static SlaRule Rule(SlaRuleKind kind, SlaScope scope) => new() { Name = "r", Kind = kind, Window = TimeSpan.FromHours(1), Target = 0.8, Scope = scope };

    [Fact]
    public void A_change_on_another_channel_source_or_kind_is_skipped()
    {
        var email = Rule(SlaRuleKind.ResponseWithin, new SlaScope(["email"], [], ["zendesk"], []));
        new SlaStore.DirtyBucket(Hour, "ticket", "zendesk", "email").MayAffect(email).Should().BeTrue();
        new SlaStore.DirtyBucket(Hour, "ticket", "zendesk", "chat").MayAffect(email).Should().BeFalse();
        new SlaStore.DirtyBucket(Hour, "ticket", "jira", "email").MayAffect(email).Should().BeFalse();
        new SlaStore.DirtyBucket(Hour, "call", "zendesk", "email").MayAffect(email).Should().BeFalse();
        new SlaStore.DirtyBucket(Hour, "call", "twilio", "phone").MayAffect(Rule(SlaRuleKind.OutOfHoursShare, SlaScope.All)).Should().BeTrue("coverage counts calls too");
    }

    [Fact]
    public void Priority_and_queue_never_rule_a_change_out_because_their_old_values_are_gone()
    {
        // A ticket escalated from medium to high must also be recomputed for the medium rule it left.
        var medium = Rule(SlaRuleKind.FirstResponseTime, new SlaScope([], ["medium"], [], ["tier-1"]));
        new SlaStore.DirtyBucket(Hour, "ticket", "zendesk", "email").MayAffect(medium).Should().BeTrue();
    }
}

using IncidentDesk.Incidents;

namespace IncidentDesk.UnitTests.Incidents;

public sealed class IncidentLifecycleTests
{
    [Theory]
    [InlineData("triggered", "acknowledged", true)]
    [InlineData("triggered", "resolved", true)]
    [InlineData("acknowledged", "mitigating", true)]
    [InlineData("acknowledged", "resolved", true)]
    [InlineData("mitigating", "resolved", true)]
    [InlineData("resolved", "reviewed", true)]
    [InlineData("triggered", "mitigating", false)]
    [InlineData("triggered", "reviewed", false)]
    [InlineData("resolved", "acknowledged", false)]
    [InlineData("reviewed", "triggered", false)]
    [InlineData("mitigating", "acknowledged", false)]
    [InlineData("unknown", "resolved", false)]
    public void The_lifecycle_allows_only_forward_moves(string from, string to, bool allowed) =>
        IncidentStatus.CanMove(from, to).Should().Be(allowed);
}

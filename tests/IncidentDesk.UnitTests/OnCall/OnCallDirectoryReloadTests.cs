using IncidentDesk.Configuration;
using IncidentDesk.OnCall;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.UnitTests.OnCall;

/// <summary>Edits to oncall.yaml apply without a restart; a broken edit never replaces the schedule in force.</summary>
public sealed class OnCallDirectoryReloadTests : IDisposable
{
    private const string Schedule = """
        timeZone: Europe/Berlin
        people:
          - { id: a, slack: U0AAAA01, email: a@example.com }
          - { id: b, email: b@example.com }
          - { id: c, email: c@example.com }
        shifts:
          - { name: day, start: "08:00", end: "20:00" }
          - { name: night, start: "20:00", end: "08:00" }
        rotation: { every: daily, startsOn: 2026-01-05, crews: [{ lead: a, agents: [] }, { lead: b, agents: [a] }] }
        escalation:
          - { level: 1, notify: [shift-lead] }
          - { level: 2, notify: [b] }
        """;

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("oncall-reload-");
    private DateTime stamp = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    private void Write(string text)
    {
        var path = Path.Combine(dir.FullName, OnCallFile.FileName);
        File.WriteAllText(path, text);
        // Each edit gets a later modification time, as an editor's save would.
        stamp = stamp.AddSeconds(1);
        File.SetLastWriteTimeUtc(path, stamp);
    }

    private OnCallDirectory NewDirectory() =>
        new(Options.Create(new PathsOptions { Alerts = dir.FullName }), new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero)), NullLogger<OnCallDirectory>.Instance);

    [Fact]
    public void A_saved_edit_is_in_force_at_the_next_read_and_a_broken_one_keeps_the_last_good_schedule()
    {
        Write(Schedule);
        var directory = NewDirectory();
        directory.EscalationTargets(2).Select(p => p.Id).Should().Equal("b");

        Write(Schedule.Replace("- { level: 2, notify: [b] }", "- { level: 2, notify: [c] }", StringComparison.Ordinal));
        directory.EscalationTargets(2).Select(p => p.Id).Should().Equal("c");

        Write(Schedule.Replace("- { level: 2, notify: [b] }", "- { level: 2, notify: [nobody] }", StringComparison.Ordinal));
        directory.EscalationTargets(2).Select(p => p.Id).Should().Equal(["c"], "an edit naming an unknown person is refused as a whole");

        File.Delete(Path.Combine(dir.FullName, OnCallFile.FileName));
        directory.LevelCount.Should().Be(2, "a file removed by mistake does not leave the desk without a schedule");
    }

    [Fact]
    public void A_broken_file_at_the_first_read_is_an_error_naming_its_problems()
    {
        Write("timeZone: Europe/Berlin\npeople: [\n");
        var act = () => NewDirectory().Schedule;
        act.Should().Throw<InvalidOperationException>().WithMessage("on-call schedule is invalid: *oncall.yaml:*");
    }

    public void Dispose() => dir.Delete(recursive: true);
}

using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentDesk.OnCall;

/// <summary>
/// The loaded schedule for the running service. The file is read once at start (start-up refuses a broken
/// file through <see cref="OnCallCheck"/>); restart to apply edits, so a half-edited file is never live.
/// </summary>
public sealed class OnCallDirectory(IOptions<PathsOptions> paths, TimeProvider time)
{
    private readonly Lazy<OnCallSchedule> schedule = new(() =>
    {
        var path = Path.Combine(paths.Value.Alerts, OnCallFile.FileName);
        var (loaded, problems) = OnCallFile.Load(path);
        return loaded ?? throw new InvalidOperationException("on-call schedule is invalid: " + string.Join("; ", problems));
    });

    public OnCallSchedule Schedule => schedule.Value;

    public OnDuty OnDutyAt(DateTimeOffset at) => ScheduleResolver.Resolve(Schedule, at);

    public OnDuty OnDutyNow() => OnDutyAt(time.GetUtcNow());

    /// <summary>The people to page at <paramref name="level"/> now; levels past the last stay at the last.</summary>
    public IReadOnlyList<Person> EscalationTargets(int level) => ScheduleResolver.Escalation(Schedule, level, time.GetUtcNow());

    public int LevelCount => Schedule.Escalation.Count;
}

/// <summary>Validates <c>alerts/oncall.yaml</c> for <c>incidentdesk check</c> and start-up.</summary>
internal sealed class OnCallCheck(IOptions<PathsOptions> paths) : ICheck
{
    public IEnumerable<Problem> Run() => OnCallFile.Load(Path.Combine(paths.Value.Alerts, OnCallFile.FileName)).Problems;
}

using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentDesk.OnCall;

/// <summary>
/// The schedule in force. The file is read again when it changes, so a holiday swap or a new lead needs no restart;
/// a broken edit is logged with every problem as <c>path:line: message</c> and the last good schedule stays in force
/// (start-up and <c>incidentdesk check</c> refuse a broken file outright through <see cref="OnCallCheck"/>).
/// </summary>
public sealed class OnCallDirectory(IOptions<PathsOptions> paths, TimeProvider time, ILogger<OnCallDirectory> logger)
{
    private readonly Lock gate = new();
    private OnCallSchedule? current;
    private DateTime loadedStamp;

    private string FilePath => Path.Combine(paths.Value.Alerts, OnCallFile.FileName);

    public OnCallSchedule Schedule
    {
        get
        {
            lock (gate)
            {
                // One stat per read (a missing file reads as 1601-01-01, which no saved file has).
                var stamp = File.GetLastWriteTimeUtc(FilePath);
                if (current is not null && stamp == loadedStamp)
                    return current;
                loadedStamp = stamp;
                var (loaded, problems) = OnCallFile.Load(FilePath);
                if (loaded is null)
                {
                    if (current is null)
                        throw new InvalidOperationException("on-call schedule is invalid: " + string.Join("; ", problems));
                    logger.LogError("On-call schedule {Path} has {Count} problem(s); keeping the schedule in force: {Problems}",
                        FilePath, problems.Count, string.Join("; ", problems));
                    return current;
                }
                if (current is not null)
                    logger.LogInformation("On-call schedule {Path} changed; the new schedule is in force", FilePath);
                return current = loaded;
            }
        }
    }

    public OnDuty OnDutyAt(DateTimeOffset at) => ScheduleResolver.Resolve(Schedule, at);

    public OnDuty OnDutyNow() => OnDutyAt(time.GetUtcNow());

    /// <summary>The people to page at <paramref name="level"/> now; levels past the last stay at the last.</summary>
    public IReadOnlyList<Person> EscalationTargets(int level) => ScheduleResolver.Escalation(Schedule, level, time.GetUtcNow());

    public int LevelCount => Schedule.Escalation.Count;

    /// <summary>How long each level has to acknowledge before the next is paged: its <c>timeout</c>, else <paramref name="fallback"/>.</summary>
    public IReadOnlyList<TimeSpan> AckTimeouts(TimeSpan fallback) => Schedule.Escalation.Select(l => l.Timeout ?? fallback).ToList();

    /// <summary>The acknowledgment time of one level (levels past the last count as the last).</summary>
    public TimeSpan AckTimeout(int level, TimeSpan fallback) =>
        Schedule.Escalation.Count == 0 ? fallback : Schedule.Escalation[Math.Clamp(level, 1, Schedule.Escalation.Count) - 1].Timeout ?? fallback;
}

/// <summary>Validates <c>alerts/oncall.yaml</c> for <c>incidentdesk check</c> and start-up.</summary>
internal sealed class OnCallCheck(IOptions<PathsOptions> paths) : ICheck
{
    public IEnumerable<Problem> Run() => OnCallFile.Load(Path.Combine(paths.Value.Alerts, OnCallFile.FileName)).Problems;
}

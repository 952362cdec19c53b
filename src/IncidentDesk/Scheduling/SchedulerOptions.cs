using IncidentDesk.Configuration;

namespace IncidentDesk.Scheduling;

/// <summary>Quartz cluster tuning (section <c>Scheduler</c>). Defaults favour fast fail-over over database chatter.</summary>
public sealed class SchedulerOptions : IValidatedOptions
{
    /// <summary>The cluster's name: every node sharing the work must use the same one.</summary>
    public string InstanceName { get; set; } = "IncidentDesk";

    /// <summary>How often a node polls for triggers scheduled by other nodes (Quartz minimum 1 s).</summary>
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a node checks in; a node silent for longer than the misfire threshold is taken over.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>A trigger later than this is treated as misfired and follows its misfire instruction.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    public int ThreadCount { get; set; } = 10;

    public IEnumerable<string> Validate(string section)
    {
        if (string.IsNullOrWhiteSpace(InstanceName))
            yield return $"{section}:InstanceName: is required";
        if (IdleWaitTime < TimeSpan.FromSeconds(1))
            yield return $"{section}:IdleWaitTime: must be at least 00:00:01 (Quartz minimum)";
        if (CheckinInterval <= TimeSpan.Zero)
            yield return $"{section}:CheckinInterval: must be positive";
        if (CheckinMisfireThreshold < CheckinInterval)
            yield return $"{section}:CheckinMisfireThreshold: must be at least CheckinInterval";
        if (MisfireThreshold <= TimeSpan.Zero)
            yield return $"{section}:MisfireThreshold: must be positive";
        if (ThreadCount is < 1 or > 100)
            yield return $"{section}:ThreadCount: must be between 1 and 100";
    }
}

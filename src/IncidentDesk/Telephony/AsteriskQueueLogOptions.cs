using IncidentDesk.Configuration;

namespace IncidentDesk.Telephony;

/// <summary>An Asterisk <c>queue_log</c> file (section <c>Telephony:AsteriskQueueLog</c>), tailed with a persisted offset.</summary>
public sealed class AsteriskQueueLogOptions : IValidatedOptions
{
    public const string Section = "Telephony:AsteriskQueueLog";

    public string Path { get; set; } = "";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Lines read per committed page.</summary>
    public int LinesPerPage { get; set; } = 5000;

    public IEnumerable<string> Validate(string section)
    {
        if (string.IsNullOrWhiteSpace(Path))
            yield return $"{section}:Path: is required (the queue_log file, e.g. /var/log/asterisk/queue_log)";
        else if (!File.Exists(Path))
            yield return $"{section}:Path: file '{Path}' does not exist";
        if (PollInterval < TimeSpan.FromSeconds(1))
            yield return $"{section}:PollInterval: must be at least 00:00:01";
        if (LinesPerPage < 1)
            yield return $"{section}:LinesPerPage: must be at least 1";
    }
}

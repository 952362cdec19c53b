using IncidentDesk.Configuration;

namespace IncidentDesk.Storage;

/// <summary>Database behaviour at start (section <c>Storage</c>); the connection string is <c>ConnectionStrings:IncidentDesk</c>.</summary>
public sealed class StorageOptions : IValidatedOptions
{
    /// <summary>How long <c>serve</c> keeps trying to reach the database before it gives up.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate(string section)
    {
        if (StartupTimeout < TimeSpan.Zero)
            yield return $"{section}:StartupTimeout: must not be negative";
    }
}

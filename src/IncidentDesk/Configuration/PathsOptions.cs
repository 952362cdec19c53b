namespace IncidentDesk.Configuration;

/// <summary>Where the files users edit live (section <c>Paths</c>).</summary>
public sealed class PathsOptions : IValidatedOptions
{
    public string Alerts { get; set; } = "alerts";
    public string Runbooks { get; set; } = "runbooks";
    public string Dashboards { get; set; } = "dashboards";

    public IEnumerable<string> Validate(string section)
    {
        foreach (var (key, value) in new[] { ("Alerts", Alerts), ("Runbooks", Runbooks), ("Dashboards", Dashboards) })
        {
            if (string.IsNullOrWhiteSpace(value))
                yield return $"{section}:{key}: must name a folder";
        }
    }
}

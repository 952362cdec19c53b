using System.Text.RegularExpressions;
using IncidentDesk.Configuration;

namespace IncidentDesk.Dashboards;

/// <summary>Section <c>Grafana</c>: where <c>dashboards push</c> provisions the boards. Absent means no Grafana.</summary>
public sealed partial class GrafanaOptions : IValidatedOptions
{
    /// <summary>Grafana's base URL, e.g. <c>http://grafana:3000/</c>.</summary>
    public string? Url { get; set; }

    /// <summary>A service-account token, sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }

    /// <summary>The folder the boards go into; created when missing.</summary>
    public string FolderUid { get; set; } = "incidentdesk";

    /// <summary>The title a newly created folder gets.</summary>
    public string FolderTitle { get; set; } = "IncidentDesk";

    public IEnumerable<string> Validate(string section)
    {
        if (!string.IsNullOrEmpty(Url) && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            yield return $"{section}:Url: '{Url}' is not an absolute http(s) URL";
        if (!string.IsNullOrEmpty(Url) && string.IsNullOrWhiteSpace(Token))
            yield return $"{section}:Token: is required when {section}:Url is set (a Grafana service-account token)";
        if (!UidPattern().IsMatch(FolderUid))
            yield return $"{section}:FolderUid: '{FolderUid}' must be 1-40 letters, digits, '-' or '_'";
        if (string.IsNullOrWhiteSpace(FolderTitle))
            yield return $"{section}:FolderTitle: must not be empty";
    }

    /// <summary>Grafana's rule for uids of dashboards and folders.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    internal static partial Regex UidPattern();
}

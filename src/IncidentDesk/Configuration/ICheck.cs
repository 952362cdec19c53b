namespace IncidentDesk.Configuration;

/// <summary>One problem in a file users edit, printed as <c>path:line: message</c>.</summary>
public sealed record Problem(string Path, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{Path}:{Line}: {Message}" : $"{Path}: {Message}";
}

/// <summary>
/// A validation that <c>incidentdesk check</c> and <c>serve</c> start-up run: each capability registers one
/// for the files it reads (oncall.yaml, sla-rules.yaml, runbooks, dashboards).
/// </summary>
public interface ICheck
{
    IEnumerable<Problem> Run();
}

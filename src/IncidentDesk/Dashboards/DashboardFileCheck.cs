using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Dashboards;

/// <summary>
/// <c>incidentdesk check</c> for <c>dashboards/*.json</c>: each file valid, uids and titles unique across files.
/// Grafana's own schema is checked by the type check in <c>dashboards/schema-check</c>.
/// </summary>
internal sealed class DashboardFileCheck(IOptions<PathsOptions> paths) : ICheck
{
    public IEnumerable<Problem> Run() => Check(paths.Value.Dashboards);

    public static IReadOnlyList<Problem> Check(string folder)
    {
        var files = DashboardFile.LoadAll(folder);
        var problems = files.SelectMany(f => f.Problems).ToList();
        problems.AddRange(Duplicates(files, f => f.Uid, "uid"));
        problems.AddRange(Duplicates(files, f => f.Title, "title"));
        return problems;
    }

    private static IEnumerable<Problem> Duplicates(IReadOnlyList<DashboardFile> files, Func<DashboardFile, string?> key, string what) =>
        files.Where(f => key(f) is not null)
            .GroupBy(key, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Skip(1).Select(f => new Problem(f.Path, 1,
                $"{what} '{g.Key}' is also used by {System.IO.Path.GetFileName(g.First().Path)}: Grafana would overwrite one board with the other")));
}

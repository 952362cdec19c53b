using IncidentDesk.Configuration;
using IncidentDesk.Incidents;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks;

/// <summary>
/// Every runbook and customer template, loaded once from <c>Paths:Runbooks</c>. All or nothing: a folder
/// with one broken file is reported (by <c>check</c> and at start) and never half-applied.
/// </summary>
public sealed class RunbookCatalog
{
    public const string DefaultRunbook = "generic";

    private readonly Lazy<(IReadOnlyDictionary<string, Runbook> Runbooks, CustomerTemplates Templates, List<Problem> Problems)> loaded;

    public RunbookCatalog(IOptions<PathsOptions> paths) : this(paths.Value.Runbooks)
    {
    }

    public RunbookCatalog(string folder)
    {
        Folder = folder;
        loaded = new(() => Load(folder));
    }

    public string Folder { get; }

    public IReadOnlyList<Problem> Problems => loaded.Value.Problems;

    public IReadOnlyDictionary<string, Runbook> Runbooks => Usable().Runbooks;

    public CustomerTemplates Templates => Usable().Templates;

    public Runbook? Find(string name) => Runbooks.GetValueOrDefault(name);

    /// <summary>
    /// The runbook an incident gets: its <c>runbook</c> label, else the file named by an Alertmanager
    /// <c>runbook_url</c>, else the first runbook whose <c>match</c> fits the source and labels, else <c>generic</c>.
    /// </summary>
    public Runbook Select(Incident incident)
    {
        var runbooks = Runbooks;
        if (incident.Labels.TryGetValue("runbook", out var named) && runbooks.TryGetValue(named, out var byLabel))
            return byLabel;
        if (incident.Labels.TryGetValue("runbook_url", out var url) && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            var stem = Path.GetFileNameWithoutExtension(uri.AbsolutePath.TrimEnd('/'));
            if (runbooks.TryGetValue(stem, out var byUrl))
                return byUrl;
        }
        foreach (var runbook in runbooks.Values.Where(r => r.Match is not null).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var match = runbook.Match!;
            if ((match.Source is null || match.Source == incident.Source)
                && match.Labels.All(l => incident.Labels.TryGetValue(l.Key, out var v) && v == l.Value)
                && (match.Source is not null || match.Labels.Count > 0))
                return runbook;
        }
        return runbooks[DefaultRunbook];
    }

    private (IReadOnlyDictionary<string, Runbook> Runbooks, CustomerTemplates Templates, List<Problem> Problems) Usable()
    {
        var value = loaded.Value;
        if (value.Problems.Count > 0)
            throw new InvalidOperationException($"runbooks in {Folder} have problems (run incidentdesk check): " + string.Join("; ", value.Problems));
        return value;
    }

    private static (IReadOnlyDictionary<string, Runbook>, CustomerTemplates, List<Problem>) Load(string folder)
    {
        var problems = new List<Problem>();
        var runbooks = new Dictionary<string, Runbook>();
        if (!Directory.Exists(folder))
            return (runbooks, CustomerTemplates.Load(Path.Combine(folder, "templates")).Templates, [new Problem(folder, 0, "runbook folder does not exist")]);
        var (templates, templateProblems) = CustomerTemplates.Load(Path.Combine(folder, "templates"));
        problems.AddRange(templateProblems);
        foreach (var path in Directory.GetFiles(folder, "*.md").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path).Equals("README.md", StringComparison.OrdinalIgnoreCase))
                continue;
            var (runbook, fileProblems) = RunbookParser.Parse(path, File.ReadAllText(path), templates.Contains);
            problems.AddRange(fileProblems);
            if (runbook is not null)
                runbooks[runbook.Name] = runbook;
        }
        if (!runbooks.ContainsKey(DefaultRunbook) && !problems.Any(p => Path.GetFileNameWithoutExtension(p.Path) == DefaultRunbook))
            problems.Add(new Problem(Path.Combine(folder, DefaultRunbook + ".md"), 0, "the default runbook is missing"));
        return (runbooks, templates, problems);
    }
}

/// <summary>Runs for <c>incidentdesk check</c> and at start: every runbook and template, as <c>path:line: message</c>.</summary>
internal sealed class RunbookCheck(RunbookCatalog catalog) : ICheck
{
    public IEnumerable<Problem> Run() => catalog.Problems;
}

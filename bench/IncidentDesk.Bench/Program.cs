using System.Diagnostics;
using System.Globalization;
using System.Text;
using IncidentDesk.Bench;

// A plain timed harness: each scenario measures itself and a baseline in the same run, so the
// ratio stays meaningful on whatever machine runs it. `make bench` writes bench/RESULTS.md.
var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? "bench/RESULTS.md";
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var database = Environment.GetEnvironmentVariable("INCIDENTDESK_TEST_DB")
    ?? "Host=127.0.0.1;Port=55432;Username=incidentdesk;Password=incidentdesk;Database=incidentdesk";

var results = new List<ScenarioResult>();
foreach (var scenario in Scenarios.All.Where(s => only is null || s.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
{
    Console.WriteLine($"bench: {scenario.Name} ...");
    var watch = Stopwatch.StartNew();
    var result = await scenario.RunAsync(database);
    Console.WriteLine($"bench: {scenario.Name}: {result.Summary} ({watch.Elapsed.TotalSeconds:0.0} s)");
    results.Add(result);
}

var md = new StringBuilder();
md.AppendLine("# Benchmark results").AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}. Produced by `make bench`.").AppendLine();
foreach (var r in results)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Name}").AppendLine().AppendLine(r.Description).AppendLine();
    md.AppendLine("| measure | value |").AppendLine("|---|---|");
    foreach (var (k, v) in r.Figures)
        md.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {v} |");
    md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"**{r.Summary}**").AppendLine();
}
if (only is null)
    await File.WriteAllTextAsync(output, md.ToString());
else
    Console.WriteLine(md);
return 0;

using System.CommandLine;
using System.Globalization;
using Dapper;
using IncidentDesk.Configuration;
using IncidentDesk.Sla;
using IncidentDesk.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Spectre.Console;

namespace IncidentDesk.Cli;

/// <summary>
/// <c>analyze coverage</c>: the handbook's 24/7 decision tree from the ingested contacts. Runs in-process
/// against the database (like <c>migrate</c>) with the business-hours calendar of <c>alerts/sla-rules.yaml</c>.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Build()
    {
        var analyze = new Command("analyze", "Analyses of the ingested contacts.");
        var coverage = new Command("coverage", "The 24/7 decision (handbook decision tree): out-of-hours share by hour and weekday, channel and critical services.");
        var days = new Option<int>("--days") { Description = "How many days back to read (default 28).", DefaultValueFactory = _ => 28 };
        var calendar = new Option<string?>("--calendar") { Description = "Business-hours calendar from sla-rules.yaml (default: the out_of_hours_share rule's)." };
        coverage.Add(days);
        coverage.Add(calendar);
        coverage.TreatUnmatchedTokensAsErrors = false;
        coverage.SetAction((result, ct) => ServiceCommands.Run(() =>
            CoverageAsync(result.UnmatchedTokens.ToArray(), result.GetValue(days), result.GetValue(calendar), ct)));
        analyze.Add(coverage);
        return analyze;
    }

    private sealed record Cell(int Dow, int Hour, string Channel, long Total, long Outside, long CriticalOutside);

    private static async Task<int> CoverageAsync(string[] args, int days, string? calendarName, CancellationToken ct)
    {
        if (days is < 1 or > 366)
            throw new StartupException("analyze coverage: --days must be between 1 and 366");
        var app = IncidentDeskApp.Build(IncidentDeskApp.CreateBuilder(args));
        await using (app)
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            StorageExtensions.ConnectionString(app.Configuration);
            var rulesPath = app.Services.GetRequiredService<SlaRulesProvider>().Path;
            var loaded = SlaRulesFile.Load(rulesPath);
            if (loaded.RuleSet is null)
                throw new StartupException(string.Join(Environment.NewLine, loaded.Problems));
            var set = loaded.RuleSet;
            var rule = set.Rules.FirstOrDefault(r => r.Kind == SlaRuleKind.OutOfHoursShare && (calendarName is null || r.Calendar == calendarName));
            calendarName ??= rule?.Calendar ?? (set.Calendars.Count == 1 ? set.Calendars.Keys.Single() : null);
            if (calendarName is null || !set.Calendars.TryGetValue(calendarName, out var calendar))
                throw new StartupException($"analyze coverage: name a calendar with --calendar (defined in {rulesPath}: {string.Join(", ", set.Calendars.Keys)})");
            var threshold = rule?.Target ?? 0.05;
            var critical = rule?.CriticalScope ?? new SlaScope([], ["critical"], [], []);

            await app.Services.GetRequiredService<Migrator>().ApplyAsync(ct);
            var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            var from = now.AddDays(-days);
            var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
            List<Cell> cells;
            await using (var connection = await dataSource.OpenConnectionAsync(ct))
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                await SlaStore.EnsureCalendarAsync(connection, tx, calendar, from, now, ct);
                cells = (await connection.QueryAsync<Cell>(new CommandDefinition(CoverageSql, new
                {
                    calendar = calendar.Name,
                    tz = calendar.Zone.Id,
                    from,
                    now,
                    critical_priorities = critical.Priorities.ToArray(),
                    critical_queues = critical.Queues.ToArray(),
                }, tx, cancellationToken: ct))).ToList();
                await tx.CommitAsync(ct);
            }
            Print(cells, calendar, from, now, threshold);
        }
        return 0;
    }

    // Local weekday/hour in the calendar's zone; "outside" by the same business-interval table the SLA rules use.
    private const string CoverageSql = """
        SELECT extract(isodow FROM c.created_at AT TIME ZONE @tz)::int AS Dow,
               extract(hour FROM c.created_at AT TIME ZONE @tz)::int AS Hour,
               c.channel AS Channel,
               count(*) AS Total,
               count(*) FILTER (WHERE x.outside) AS Outside,
               count(*) FILTER (WHERE x.outside AND (c.priority = ANY(@critical_priorities) OR c.queue = ANY(@critical_queues)) IS TRUE) AS CriticalOutside
        FROM contacts c
        CROSS JOIN LATERAL (SELECT NOT sla_in_business_hours(@calendar, c.created_at) AS outside) x
        WHERE c.created_at >= @from AND c.created_at < @now
        GROUP BY 1, 2, 3
        """;

    private static void Print(List<Cell> cells, BusinessCalendar calendar, DateTimeOffset from, DateTimeOffset now, double threshold)
    {
        var console = AnsiConsole.Console;
        long total = cells.Sum(c => c.Total), outside = cells.Sum(c => c.Outside), critical = cells.Sum(c => c.CriticalOutside);
        var share = total == 0 ? 0 : (double)outside / total;
        console.MarkupLine(CultureInfo.InvariantCulture, $"[bold]Coverage[/] {from:yyyy-MM-dd} – {now:yyyy-MM-dd}, calendar [bold]{calendar.Name.EscapeMarkup()}[/] ({calendar.Zone.Id.EscapeMarkup()})");

        var grid = new Table().Title("Contacts by local hour and weekday ([yellow]*[/] = outside business hours)");
        grid.AddColumn("hour");
        string[] names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        foreach (var name in names)
            grid.AddColumn(new TableColumn(name).RightAligned());
        grid.AddColumn(new TableColumn("outside").RightAligned());
        var byCell = cells.GroupBy(c => (c.Dow, c.Hour)).ToDictionary(g => g.Key, g => (Total: g.Sum(c => c.Total), Outside: g.Sum(c => c.Outside)));
        for (var hour = 0; hour < 24; hour++)
        {
            var row = new List<string> { $"{hour:00}:00" };
            long hourTotal = 0, hourOutside = 0;
            for (var dow = 1; dow <= 7; dow++)
            {
                var (t, o) = byCell.GetValueOrDefault((dow, hour));
                hourTotal += t;
                hourOutside += o;
                row.Add(t == 0 ? "[grey]·[/]" : o > 0 ? $"[yellow]{t}*[/]" : t.ToString(CultureInfo.InvariantCulture));
            }
            row.Add(Percent(hourTotal == 0 ? null : (double)hourOutside / hourTotal));
            grid.AddRow(row.ToArray());
        }
        console.Write(grid);

        var channels = new Table().Title("By channel");
        foreach (var column in new[] { "channel", "contacts", "outside", "share", "critical outside" })
            channels.AddColumn(column == "channel" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        foreach (var g in cells.GroupBy(c => c.Channel).OrderByDescending(g => g.Sum(c => c.Total)))
        {
            long t = g.Sum(c => c.Total), o = g.Sum(c => c.Outside), k = g.Sum(c => c.CriticalOutside);
            channels.AddRow(g.Key.EscapeMarkup(), N(t), N(o), Percent(t == 0 ? null : (double)o / t), N(k));
        }
        channels.AddRow("[bold]all[/]", N(total), N(outside), Percent(total == 0 ? null : share), N(critical));
        console.Write(channels);

        var decision = CoverageDecision.Decide(share, threshold, critical);
        var tree = new Table().Title("Decision tree (handbook)").AddColumn("question").AddColumn("answer");
        tree.AddRow($"More than {Percent(threshold)} of contacts outside business hours?", $"{(share > threshold ? "yes" : "no")} ({Percent(total == 0 ? null : share)} of {N(total)})");
        if (share > threshold)
            tree.AddRow("Critical services affected outside business hours?", critical > 0 ? $"yes ({N(critical)} critical contacts)" : "no");
        tree.AddRow("[bold]Recommendation[/]", $"[bold]{CoverageDecision.Explain(decision).EscapeMarkup()}[/]");
        console.Write(tree);
        // Also as one unwrapped line, for scripts and narrow terminals.
        Console.WriteLine($"Recommendation: {CoverageDecision.Explain(decision)} ({decision})");
        if (total == 0)
            console.MarkupLine("[yellow]No contacts in the period: the recommendation has nothing to stand on.[/]");
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? share) => share is null ? "–" : (share.Value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}

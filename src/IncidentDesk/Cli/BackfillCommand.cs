using System.CommandLine;
using System.Globalization;
using IncidentDesk.Storage;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IncidentDesk.Cli;

/// <summary><c>incidentdesk backfill SOURCE --since DATE</c>: bulk import of one source's history with a progress bar.</summary>
internal static class BackfillCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "The source to import: zendesk, jira, freshdesk, otrs, twilio, simulated (it must be configured)." };
        var since = new Option<string>("--since") { Description = "Import everything changed since this date or time (ISO 8601, UTC unless an offset is given).", Required = true };
        var command = new Command("backfill", "Import a source's history since a date, then exit. Safe to repeat: rows already stored are not written twice.")
        {
            source,
            since,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, ct) => ServiceCommands.Run(async () =>
        {
            var name = result.GetValue(source)!.Trim().ToLowerInvariant();
            if (!DateTimeOffset.TryParse(result.GetValue(since), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
            {
                Console.Error.WriteLine($"incidentdesk: backfill: --since '{result.GetValue(since)}' is not a date (e.g. 2026-11-01 or 2026-11-01T08:00:00Z)");
                return 2;
            }
            var app = IncidentDeskApp.Build(IncidentDeskApp.CreateBuilder(result.UnmatchedTokens.ToArray()));
            await using (app)
            {
                app.Services.GetRequiredService<IStartupValidator>().Validate();
                var readers = app.Services.GetServices<IContactSource>().Where(s => s.Source == name).ToList();
                if (readers.Count == 0)
                {
                    var configured = app.Services.GetServices<IContactSource>().Select(s => s.Source).Distinct().ToList();
                    Console.Error.WriteLine($"incidentdesk: backfill: source '{name}' is not configured" +
                        (configured.Count == 0 ? " (no source is)" : $" (configured: {string.Join(", ", configured)})"));
                    return 2;
                }
                await app.Services.GetRequiredService<Migrator>().ApplyAsync(ct);
                var poller = app.Services.GetRequiredService<SourcePoller>();
                var failed = false;
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        foreach (var reader in readers)
                        {
                            var task = progress.AddTask($"{reader.CursorKey}: 0 records");
                            task.IsIndeterminate = true;
                            var seen = 0L;
                            var poll = await poller.PollAsync(reader, ct, maxPages: int.MaxValue, startCursor: reader.CursorFrom(from), progress: n =>
                            {
                                seen += n;
                                task.Description = $"{reader.CursorKey}: {seen.ToString("N0", CultureInfo.InvariantCulture)} records";
                            });
                            task.IsIndeterminate = false;
                            task.Value = task.MaxValue;
                            task.StopTask();
                            if (poll.Error is not null && !poll.CaughtUp)
                            {
                                failed = true;
                                AnsiConsole.MarkupLineInterpolated($"[red]{reader.CursorKey}: stopped after {poll.Pages} page(s): {poll.Error}[/]");
                            }
                            else
                            {
                                AnsiConsole.MarkupLineInterpolated($"{reader.CursorKey}: {seen:N0} records read, {poll.Written:N0} written, {poll.Pages} page(s)");
                            }
                        }
                    });
                return failed ? 1 : 0;
            }
        }));
        return command;
    }
}

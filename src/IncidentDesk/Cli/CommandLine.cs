using System.CommandLine;

namespace IncidentDesk.Cli;

/// <summary>The <c>incidentdesk</c> command line: <c>serve</c> is the default verb.</summary>
public static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("IncidentDesk: SLA monitoring, paging and incident runbooks for customer-support desks.");
        var serve = ServiceCommands.Serve();
        root.Add(serve);
        root.Add(ServiceCommands.Migrate());
        root.Add(ServiceCommands.Check());
        root.Add(DashboardsCommand.Build());
        root.Add(BackfillCommand.Create());
        foreach (var client in ClientCommands.All()) root.Add(client);
        foreach (var command in Runbooks.RunbookCommands.All()) root.Add(command);
        root.Add(AnalyzeCommand.Build());
        // No verb means serve; configuration overrides (--Urls=..., --Paging:AckTimeout=...) pass through.
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, ct) => serve.Action is System.CommandLine.Invocation.AsynchronousCommandLineAction a
            ? a.InvokeAsync(result, ct)
            : Task.FromResult(1));
        return root;
    }
}

return await IncidentDesk.Cli.CommandLine.Build().Parse(args).InvokeAsync();

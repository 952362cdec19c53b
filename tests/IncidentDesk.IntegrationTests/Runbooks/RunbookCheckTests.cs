using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>A broken runbook or template is rejected by <c>incidentdesk check</c> and at start, as <c>path:line: message</c>.</summary>
public sealed class RunbookCheckTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "incidentdesk-runbooks-" + Guid.NewGuid().ToString("N")[..8]);

    public RunbookCheckTests()
    {
        Directory.CreateDirectory(Path.Combine(folder, "templates"));
        foreach (var file in Directory.GetFiles(RepoPaths.Runbooks, "*.md"))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Runbooks, "templates")))
            File.Copy(file, Path.Combine(folder, "templates", Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task The_shipped_runbooks_and_templates_pass_check()
    {
        var result = await CliProcess.RunAsync(["check", $"--Paths:Runbooks={RepoPaths.Runbooks}"], Env());
        result.StdOut.Should().NotContain("runbooks/");
        result.ExitCode.Should().Be(0, result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Check_and_serve_reject_a_broken_runbook_and_template_with_path_and_line()
    {
        var generic = Path.Combine(folder, "generic.md");
        File.WriteAllText(generic, File.ReadAllText(generic).Replace("kind: manual", "kind: manuel", StringComparison.Ordinal)
            .Replace("    deadline: 45m\n", "", StringComparison.Ordinal));
        var template = Path.Combine(folder, "templates", "delay.en.txt");
        File.WriteAllText(template, File.ReadAllText(template).Replace("{{ name }}", "{{ nmae }}", StringComparison.Ordinal));

        var check = await CliProcess.RunAsync(["check", $"--Paths:Runbooks={folder}"], Env());
        check.ExitCode.Should().Be(1);
        var lines = check.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain($"{generic}:16: step 'escalate-to-tech' has no deadline");
        lines.Should().Contain($"{generic}:24: unknown step kind 'manuel' (expected acknowledge, communicate, escalate, rollback, manual, review)");
        lines.Should().Contain(l => l.StartsWith($"{template}:3: unknown placeholder: The variable or function `nmae` was not found", StringComparison.Ordinal));

        // serve stops before touching the database (the connection string points nowhere).
        var serve = await CliProcess.RunAsync(["serve", $"--Paths:Runbooks={folder}"], Env());
        serve.ExitCode.Should().Be(2);
        serve.StdErr.Should().Contain($"{generic}:24: unknown step kind 'manuel'").And.Contain($"{template}:3: unknown placeholder");
    }

    private static Dictionary<string, string?> Env() => new()
    {
        ["ConnectionStrings__IncidentDesk"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1",
        ["Logging__LogLevel__Default"] = "Warning",
    };
}

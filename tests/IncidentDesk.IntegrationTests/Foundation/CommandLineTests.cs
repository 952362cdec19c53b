using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Foundation;

/// <summary>The real executable as operators run it.</summary>
public sealed class CommandLineTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private Dictionary<string, string?> Env(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string?> { ["ConnectionStrings__IncidentDesk"] = database.ConnectionString, ["Urls"] = "http://127.0.0.1:0" };
        foreach (var (key, value) in extra)
            env[key] = value;
        return env;
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("check")]
    public async Task Every_verb_has_help(string verb)
    {
        var result = await CliProcess.RunAsync([verb, "--help"]);
        result.ExitCode.Should().Be(0);
        result.StdOut.Should().Contain("Usage:").And.Contain(verb);
    }

    [PostgresFact]
    public async Task An_invalid_option_value_stops_serve_with_one_line_naming_the_key()
    {
        var result = await CliProcess.RunAsync(["serve"], Env(("Scheduler__IdleWaitTime", "00:00:00.100")));
        result.ExitCode.Should().NotBe(0);
        var lines = result.StdErr.Trim().Split('\n');
        lines.Should().ContainSingle().Which.Should().Contain("Scheduler:IdleWaitTime");
        result.StdErr.Should().NotContain("   at ", "no stack trace");
    }

    [PostgresFact]
    public async Task A_value_that_does_not_convert_names_the_key()
    {
        var result = await CliProcess.RunAsync(["serve"], Env(("Storage__StartupTimeout", "soon")));
        result.ExitCode.Should().NotBe(0);
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("Storage:StartupTimeout");
    }

    [Fact]
    public async Task Serve_retries_an_unreachable_database_for_the_startup_timeout_then_exits_with_one_line()
    {
        var port = LocalPostgresCluster.FreePort();
        var result = await CliProcess.RunAsync(["serve"], new Dictionary<string, string?>
        {
            ["ConnectionStrings__IncidentDesk"] = $"Host=127.0.0.1;Port={port};Username=x;Password=x;Database=x;Timeout=1",
            ["Storage__StartupTimeout"] = "00:00:03",
            ["Urls"] = "http://127.0.0.1:0",
        }, TimeSpan.FromSeconds(60));

        result.ExitCode.Should().NotBe(0);
        result.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(2), "it retried instead of giving up at once");
        result.StdErr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("database: cannot reach 127.0.0.1:" + port);
    }

    [PostgresFact]
    public async Task Migrate_applies_and_then_reports_up_to_date()
    {
        var result = await CliProcess.RunAsync(["migrate"], Env());
        result.ExitCode.Should().Be(0, result.StdErr);
        result.StdOut.Should().Contain("up to date", "the class fixture already migrated this database");
    }

    [Fact]
    public async Task Check_reports_a_bad_configuration_value_and_exits_non_zero()
    {
        var result = await CliProcess.RunAsync(["check"], new Dictionary<string, string?>
        {
            ["ConnectionStrings__IncidentDesk"] = "Host=127.0.0.1",
            ["Auth__ApiKeys__0__Name"] = "ops",
            ["Auth__ApiKeys__0__KeyHash"] = "not-a-hash",
            ["Auth__ApiKeys__0__Role"] = "root",
        });
        result.ExitCode.Should().NotBe(0);
        result.StdErr.Should().Contain("Auth:ApiKeys:0:KeyHash").And.Contain("Auth:ApiKeys:0:Role");
    }
}

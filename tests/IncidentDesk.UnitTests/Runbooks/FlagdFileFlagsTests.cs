using IncidentDesk.Runbooks;
using IncidentDesk.Runbooks.Rollback;
using Microsoft.Extensions.Options;

namespace IncidentDesk.UnitTests.Runbooks;

/// <summary>The flagd flag-file provider on a real file: what it reads, what it refuses, and that a refusal writes nothing.</summary>
public sealed class FlagdFileFlagsTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("flagd-unit-");

    private string File(string text)
    {
        var path = Path.Combine(dir.FullName, "flags.json");
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static FlagdFileFlags Provider(string path) =>
        new(Options.Create(new FeatureFlagsOptions { Provider = "flagd", Flagd = new() { Path = path } }));

    [Fact]
    public async Task Reads_the_state_and_switches_it_both_ways()
    {
        var flags = Provider(File("""{ "flags": { "a": { "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "on" }, "b": { "state": "DISABLED" } } }"""));
        (await flags.IsEnabledAsync("a", default)).Should().BeTrue();
        (await flags.IsEnabledAsync("b", default)).Should().BeFalse();

        await flags.SetAsync("a", false, default);
        await flags.SetAsync("b", true, default);

        (await flags.IsEnabledAsync("a", default)).Should().BeFalse();
        (await flags.IsEnabledAsync("b", default)).Should().BeTrue();
    }

    [Fact]
    public async Task Concurrent_switches_of_two_flags_both_land()
    {
        var flags = Provider(File("""{ "flags": { "a": { "state": "ENABLED" }, "b": { "state": "ENABLED" } } }"""));
        await Task.WhenAll(Task.Run(() => flags.SetAsync("a", false, default)), Task.Run(() => flags.SetAsync("b", false, default)));
        (await flags.IsEnabledAsync("a", default)).Should().BeFalse();
        (await flags.IsEnabledAsync("b", default)).Should().BeFalse();
    }

    [Fact]
    public async Task An_unknown_flag_is_refused_by_name_and_the_file_is_not_touched()
    {
        const string text = """{ "flags": { "a": { "state": "ENABLED" } } }""";
        var path = File(text);
        var act = () => Provider(path).SetAsync("missing", false, default);
        (await act.Should().ThrowAsync<VendorException>()).WithMessage("*has no flag 'missing'*");
        (await System.IO.File.ReadAllTextAsync(path)).Should().Be(text);
    }

    [Theory]
    [InlineData("""{ "flags": { "a": { "state": "ENAB""")]
    [InlineData("")]
    public async Task A_broken_file_is_a_clear_error_naming_the_file(string text)
    {
        var path = File(text);
        var act = () => Provider(path).IsEnabledAsync("a", default);
        (await act.Should().ThrowAsync<VendorException>()).WithMessage($"flagd file {path} cannot be read*");
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error_naming_the_file()
    {
        var path = Path.Combine(dir.FullName, "absent.json");
        var act = () => Provider(path).SetAsync("a", false, default);
        (await act.Should().ThrowAsync<VendorException>()).WithMessage($"flagd file {path} cannot be read*");
    }

    public void Dispose() => dir.Delete(recursive: true);
}

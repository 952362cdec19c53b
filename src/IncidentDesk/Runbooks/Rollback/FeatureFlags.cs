using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentDesk.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks.Rollback;

/// <summary>
/// Section <c>FeatureFlags</c>: <c>Provider</c> (<c>unleash</c> or <c>flagd</c>; absent = rollbacks are off),
/// <c>Unleash:BaseUrl</c>, <c>Unleash:Token</c> (an admin token), <c>Unleash:Project</c> (default <c>default</c>),
/// <c>Unleash:Environment</c> (default <c>production</c>), <c>Flagd:Path</c> (the flag file flagd watches).
/// </summary>
public sealed class FeatureFlagsOptions : IValidatedOptions
{
    public string? Provider { get; set; }
    public UnleashOptions Unleash { get; set; } = new();
    public FlagdOptions Flagd { get; set; } = new();

    public sealed class UnleashOptions
    {
        public string? BaseUrl { get; set; }
        public string? Token { get; set; }
        public string Project { get; set; } = "default";
        public string Environment { get; set; } = "production";
    }

    public sealed class FlagdOptions
    {
        public string? Path { get; set; }
    }

    public IEnumerable<string> Validate(string section)
    {
        switch (Provider)
        {
            case null or "":
                break;
            case "unleash":
                if (!Uri.TryCreate(Unleash.BaseUrl, UriKind.Absolute, out _))
                    yield return $"{section}:Unleash:BaseUrl: must be an absolute URL when Provider is unleash";
                if (string.IsNullOrWhiteSpace(Unleash.Token))
                    yield return $"{section}:Unleash:Token: an admin API token is required when Provider is unleash";
                break;
            case "flagd":
                if (string.IsNullOrWhiteSpace(Flagd.Path))
                    yield return $"{section}:Flagd:Path: the flag file is required when Provider is flagd";
                break;
            default:
                yield return $"{section}:Provider: must be unleash or flagd (got '{Provider}')";
                break;
        }
    }
}

/// <summary>Reads and switches one feature flag. Throws <see cref="VendorException"/> when the provider cannot be reached or refuses.</summary>
public interface IFeatureFlagProvider
{
    string Name { get; }

    /// <summary>Whether the flag is on; throws <see cref="VendorException"/> for an unknown flag.</summary>
    Task<bool> IsEnabledAsync(string flag, CancellationToken ct);

    Task SetAsync(string flag, bool enabled, CancellationToken ct);
}

/// <summary>Unleash admin API: <c>GET …/features/{f}</c> for the state, <c>POST …/environments/{env}/on|off</c> to switch.</summary>
public sealed class UnleashFlags(HttpClient http, IOptions<FeatureFlagsOptions> options) : IFeatureFlagProvider
{
    public string Name => "unleash";

    private FeatureFlagsOptions.UnleashOptions O => options.Value.Unleash;

    public async Task<bool> IsEnabledAsync(string flag, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, $"api/admin/projects/{Uri.EscapeDataString(O.Project)}/features/{Uri.EscapeDataString(flag)}");
        using var response = await VendorHttp.SendAsync(http, request, "Unleash", ct);
        var feature = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        var environment = feature?["environments"]?.AsArray().FirstOrDefault(e => e?["name"]?.GetValue<string>() == O.Environment)
            ?? throw new VendorException($"Unleash feature '{flag}' has no environment '{O.Environment}'");
        return environment["enabled"]?.GetValue<bool>() ?? false;
    }

    public async Task SetAsync(string flag, bool enabled, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post,
            $"api/admin/projects/{Uri.EscapeDataString(O.Project)}/features/{Uri.EscapeDataString(flag)}/environments/{Uri.EscapeDataString(O.Environment)}/{(enabled ? "on" : "off")}");
        using var response = await VendorHttp.SendAsync(http, request, "Unleash", ct);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(O.BaseUrl!.TrimEnd('/') + "/"), path));
        // Unleash takes the admin token as the bare Authorization value.
        request.Headers.TryAddWithoutValidation("Authorization", O.Token);
        return request;
    }
}

/// <summary>
/// A flagd flag file (<c>{"flags": {"key": {"state": "ENABLED"|"DISABLED", ...}}}</c>): switched by rewriting the
/// file atomically (write beside it, then rename), so flagd never reads half a file.
/// </summary>
public sealed class FlagdFileFlags(IOptions<FeatureFlagsOptions> options) : IFeatureFlagProvider
{
    private static readonly SemaphoreSlim FileLock = new(1, 1);

    public string Name => "flagd";

    private string Path => options.Value.Flagd.Path!;

    public async Task<bool> IsEnabledAsync(string flag, CancellationToken ct)
    {
        var flags = await ReadAsync(ct);
        return Flag(flags, flag)["state"]?.GetValue<string>() == "ENABLED";
    }

    public async Task SetAsync(string flag, bool enabled, CancellationToken ct)
    {
        await FileLock.WaitAsync(ct);
        try
        {
            var document = await ReadAsync(ct);
            Flag(document, flag)["state"] = enabled ? "ENABLED" : "DISABLED";
            var temp = Path + ".incidentdesk-tmp";
            await File.WriteAllTextAsync(temp, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
            File.Move(temp, Path, overwrite: true);
        }
        catch (IOException e)
        {
            throw new VendorException($"flagd file {Path} cannot be written: {e.Message}", inner: e);
        }
        finally
        {
            FileLock.Release();
        }
    }

    private async Task<JsonObject> ReadAsync(CancellationToken ct)
    {
        try
        {
            return JsonNode.Parse(await File.ReadAllTextAsync(Path, ct))?.AsObject() ?? throw new VendorException($"flagd file {Path} is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new VendorException($"flagd file {Path} cannot be read: {e.Message}", inner: e);
        }
    }

    private JsonObject Flag(JsonObject document, string flag) =>
        document["flags"]?[flag] as JsonObject ?? throw new VendorException($"flagd file {Path} has no flag '{flag}'");
}

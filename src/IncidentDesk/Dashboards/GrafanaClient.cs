using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Dashboards;

/// <summary>What pushing one dashboard did.</summary>
public enum PushOutcome
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>A dashboard that is in Grafana now: its uid, version and URL path.</summary>
public sealed record PushedDashboard(string Uid, PushOutcome Outcome, int Version, string? Url);

/// <summary>A refusal from Grafana (or no answer at all), as one line for the operator.</summary>
/// <param name="Status">The HTTP status, 0 when Grafana could not be reached.</param>
/// <param name="Kind">Grafana's <c>status</c> field, e.g. <c>version-mismatch</c> or <c>name-exists</c>.</param>
/// <param name="Message">One line saying what went wrong and what to do.</param>
public sealed record GrafanaError(int Status, string? Kind, string Message)
{
    /// <summary>True when no later call can succeed either (bad token, no permission, Grafana unreachable).</summary>
    public bool IsFatal => Status is 0 or 401 or 403;
}

/// <summary>Either a value or the error Grafana answered with.</summary>
public readonly record struct GrafanaResult<T>(T? Value, GrafanaError? Error)
{
    public static implicit operator GrafanaResult<T>(GrafanaError error) => new(default, error);
}

/// <summary>
/// A thin client for the parts of Grafana's HTTP API that provisioning needs (folders, dashboards), with a
/// service-account token. Refusals are return values; 429 and 502-504 are retried (honouring Retry-After),
/// everything else is the caller's to report.
/// </summary>
public sealed class GrafanaClient(HttpClient http, IOptions<GrafanaOptions> options, TimeProvider time)
{
    private const int Attempts = 3;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Makes sure the folder exists: <c>GET /api/folders</c>, then <c>POST /api/folders</c> when it is missing (409 means someone just created it).</summary>
    public async Task<GrafanaResult<bool>> EnsureFolderAsync(string uid, string title, CancellationToken ct)
    {
        var (list, error) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/folders?limit=1000"), ct);
        if (error is not null)
            return error;
        var folders = list!.Deserialize<List<FolderDto>>(Json) ?? [];
        if (folders.Any(f => f.Uid == uid))
            return new(false, null);
        var (_, createError) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/folders") { Content = JsonContent.Create(new { uid, title }) }, ct);
        if (createError is { Status: 409 })
            return new(false, null);
        return createError is null ? new GrafanaResult<bool>(true, null) : createError;
    }

    /// <summary>
    /// Saves <paramref name="dashboard"/> into the folder with <c>POST /api/dashboards/db</c> and <c>overwrite</c>, unless
    /// Grafana already holds the same JSON in that folder: pushing twice leaves one version, not two.
    /// </summary>
    public async Task<GrafanaResult<PushedDashboard>> PushDashboardAsync(JsonObject dashboard, string folderUid, string message, CancellationToken ct)
    {
        var uid = dashboard["uid"]?.GetValue<string>() ?? throw new ArgumentException("dashboard without uid", nameof(dashboard));
        var (existing, lookupError) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/dashboards/uid/" + Uri.EscapeDataString(uid)), ct, notFoundIsNull: true);
        if (lookupError is not null)
            return lookupError;
        if (existing is not null
            && existing["meta"]?["folderUid"]?.GetValue<string>() == folderUid
            && existing["dashboard"] is JsonObject stored
            && JsonNode.DeepEquals(Comparable(stored), Comparable(dashboard)))
        {
            return new(new PushedDashboard(uid, PushOutcome.Unchanged, stored["version"]?.GetValue<int>() ?? 0, existing["meta"]?["url"]?.GetValue<string>()), null);
        }

        var body = Comparable(dashboard);
        body["id"] = null;
        var (saved, error) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/dashboards/db")
        {
            Content = JsonContent.Create(new JsonObject { ["dashboard"] = body.DeepClone(), ["folderUid"] = folderUid, ["overwrite"] = true, ["message"] = message }),
        }, ct);
        if (error is not null)
            return error;
        var result = saved.Deserialize<SaveDto>(Json)!;
        return new(new PushedDashboard(result.Uid ?? uid, existing is null ? PushOutcome.Created : PushOutcome.Updated, result.Version, result.Url), null);
    }

    /// <summary>The dashboard without the fields Grafana assigns (<c>id</c>, <c>version</c>).</summary>
    private static JsonObject Comparable(JsonObject dashboard)
    {
        var copy = (JsonObject)dashboard.DeepClone();
        copy.Remove("id");
        copy.Remove("version");
        return copy;
    }

    private async Task<(JsonNode? Body, GrafanaError? Error)> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct, bool notFoundIsNull = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.Token);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, ct);
            }
            catch (HttpRequestException e)
            {
                return (null, new GrafanaError(0, null, $"cannot reach Grafana at {http.BaseAddress}: {e.Message}"));
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                return (null, new GrafanaError(0, null, $"Grafana at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s"));
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode)
                    return (Parse(text) ?? new JsonObject(), null);
                if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
                    return (null, null);
                if (attempt < Attempts && response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
                {
                    await Task.Delay(RetryDelay(response, attempt), time, ct);
                    continue;
                }
                return (null, Describe(message, response.StatusCode, Parse(text)));
            }
        }
    }

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var delay = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - time.GetUtcNow() : TimeSpan.FromSeconds(attempt));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxRetryAfter ? MaxRetryAfter : delay;
    }

    private GrafanaError Describe(HttpRequestMessage request, HttpStatusCode status, JsonNode? body)
    {
        var code = (int)status;
        var kind = body?["status"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        var said = body?["message"] is JsonValue m && m.TryGetValue<string>(out var t) ? t : status.ToString();
        var what = $"{request.Method} {request.RequestUri}";
        var line = (code, kind) switch
        {
            (401, _) => $"Grafana at {http.BaseAddress} refused the token (401 {said}): set Grafana:Token to a valid service-account token",
            (403, _) => $"the service account may not do {what} (403 {said}): it needs the Editor role on the folder",
            (412, "version-mismatch") => $"Grafana holds a newer version of this dashboard (412 version-mismatch: {said})",
            (412, "name-exists") => $"another dashboard in the folder already has this title (412 name-exists: {said}): rename one of them or delete the other board",
            (412, _) => $"Grafana refused the dashboard (412 {kind ?? "precondition failed"}: {said})",
            _ => $"{what} failed with {code.ToString(CultureInfo.InvariantCulture)} {status}: {said}",
        };
        return new GrafanaError(code, kind, line);
    }

    private static JsonNode? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record FolderDto([property: JsonPropertyName("uid")] string? Uid, [property: JsonPropertyName("title")] string? Title);

    private sealed record SaveDto(string? Uid, int Version, string? Url, string? Status);
}

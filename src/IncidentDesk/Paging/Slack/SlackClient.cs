using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Paging.Slack;

/// <summary>The answer of one Slack Web API call. Slack reports most errors as HTTP 200 with <c>ok: false</c>.</summary>
public sealed record SlackResult(bool Ok, string? Error, HttpStatusCode Status, JsonObject? Body, TimeSpan? RetryAfter)
{
    /// <summary>The request may or may not have reached Slack (timeout, connection reset, 5xx).</summary>
    public bool InDoubt { get; init; }
}

/// <summary>A thin typed client for the three Web API methods paging needs.</summary>
public sealed class SlackClient(HttpClient http, IOptions<SlackOptions> options)
{
    /// <summary>The metadata event type that marks our pages, so a re-claimed page can find its message.</summary>
    public const string PageEventType = "incidentdesk_page";

    public Task<SlackResult> PostMessageAsync(string channel, string text, JsonArray blocks, string idempotencyKey, long incidentId, CancellationToken ct) =>
        CallAsync("chat.postMessage", new JsonObject
        {
            ["channel"] = channel,
            ["text"] = text,
            ["blocks"] = blocks,
            ["metadata"] = new JsonObject
            {
                ["event_type"] = PageEventType,
                ["event_payload"] = new JsonObject { ["idempotency_key"] = idempotencyKey, ["incident_id"] = incidentId },
            },
        }, ct);

    public Task<SlackResult> UpdateAsync(string channel, string ts, string text, JsonArray blocks, CancellationToken ct) =>
        CallAsync("chat.update", new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text, ["blocks"] = blocks }, ct);

    /// <summary>
    /// Looks for our message with this idempotency key posted since <paramref name="oldest"/> (conversations.history with
    /// metadata). Returns the ts, or null when it is not there; a failed lookup is a failed result.
    /// </summary>
    public async Task<(SlackResult Result, string? Ts)> FindPageAsync(string channel, DateTimeOffset oldest, string idempotencyKey, CancellationToken ct)
    {
        string? cursor = null;
        for (var page = 0; page < 10; page++)
        {
            var query = $"conversations.history?channel={Uri.EscapeDataString(channel)}&oldest={oldest.ToUnixTimeSeconds()}&include_all_metadata=true&limit=200"
                + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var result = await SendAsync(new HttpRequestMessage(HttpMethod.Get, query), ct);
            if (!result.Ok)
                return (result, null);
            foreach (var message in result.Body?["messages"]?.AsArray() ?? [])
            {
                var metadata = message?["metadata"];
                if (metadata?["event_type"]?.GetValue<string>() == PageEventType
                    && metadata["event_payload"]?["idempotency_key"]?.GetValue<string>() == idempotencyKey)
                    return (result, message!["ts"]?.GetValue<string>());
            }
            cursor = result.Body?["response_metadata"]?["next_cursor"]?.GetValue<string>();
            if (string.IsNullOrEmpty(cursor))
                break;
        }
        return (new SlackResult(true, null, HttpStatusCode.OK, null, null), null);
    }

    private Task<SlackResult> CallAsync(string method, JsonObject body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, method) { Content = JsonContent.Create(body) }, ct);

    private async Task<SlackResult> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.BotToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                return new SlackResult(false, "ratelimited", response.StatusCode, null, retryAfter ?? TimeSpan.FromSeconds(1));
            if (!response.IsSuccessStatusCode)
                return new SlackResult(false, $"HTTP {(int)response.StatusCode}", response.StatusCode, null, retryAfter) { InDoubt = (int)response.StatusCode >= 500 };
            JsonObject? body;
            try
            {
                body = await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token);
            }
            catch (JsonException e)
            {
                return new SlackResult(false, "invalid JSON from Slack: " + e.Message, response.StatusCode, null, null) { InDoubt = true };
            }
            var ok = body?["ok"]?.GetValue<bool>() == true;
            return new SlackResult(ok, ok ? null : body?["error"]?.GetValue<string>() ?? "no ok in response", response.StatusCode, body, retryAfter);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SlackResult(false, $"timeout after {options.Value.Timeout.TotalSeconds:0} s", 0, null, null) { InDoubt = true };
        }
        catch (HttpRequestException e)
        {
            return new SlackResult(false, e.Message, 0, null, null) { InDoubt = e.HttpRequestError is not HttpRequestError.ConnectionError and not HttpRequestError.NameResolutionError };
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>
/// A fake of the three Slack Web API methods paging uses, over real HTTP, with Slack's documented shapes:
/// <c>POST chat.postMessage</c> {channel, text, blocks, metadata} → {ok, channel, ts};
/// <c>POST chat.update</c> {channel, ts, text, blocks} → {ok, channel, ts};
/// <c>GET conversations.history?channel&amp;oldest&amp;include_all_metadata</c> → {ok, messages[{ts, text, metadata}], has_more}.
/// Errors are HTTP 200 {ok:false, error}; rate limits are HTTP 429 with Retry-After. Faults are queued per call.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public const string Token = "xoxb-test-token";
    public const string ChannelId = "C0INCIDENT";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Fault> faults = new();
    private long sequence;

    public sealed record Message(string Channel, string Ts, string Text, JsonNode? Blocks, string? IdempotencyKey, DateTimeOffset ReceivedAt);

    public sealed record Update(string Channel, string Ts, string Text);

    /// <summary>What the next call to chat.postMessage does instead of succeeding.</summary>
    public abstract record Fault;

    public sealed record RateLimited(int RetryAfterSeconds) : Fault;

    public sealed record ServerError : Fault;

    public sealed record SlackError(string Error) : Fault;

    public sealed record BadJson : Fault;

    /// <summary>Posts the message, then answers 500: the sender cannot know it went through.</summary>
    public sealed record PostedThenServerError : Fault;

    public ConcurrentQueue<Message> Posted { get; } = new();

    public ConcurrentQueue<Update> Updates { get; } = new();

    public int HistoryCalls => historyCalls;

    private int historyCalls;

    /// <summary>When set, every chat.postMessage fails with HTTP 500 (Slack down).</summary>
    public bool Down { get; set; }

    /// <summary>Called for each stored post (benchmarks time-stamp arrivals here).</summary>
    public Action<Message>? OnPosted { get; set; }

    public Uri ApiBaseUrl { get; private set; } = null!;

    private FakeSlack(WebApplication app) => this.app = app;

    public void Enqueue(Fault fault) => faults.Enqueue(fault);

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Urls"] = "http://127.0.0.1:0";
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        fake.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.ApiBaseUrl = new Uri(address + "/api/");
        return fake;
    }

    public IReadOnlyList<Message> PostsFor(string slackUserId) => Posted.Where(m => m.Text.Contains($"<@{slackUserId}>", StringComparison.Ordinal)).ToList();

    private void Map()
    {
        app.MapPost("/api/chat.postMessage", async (HttpRequest request) =>
        {
            if (request.Headers.Authorization != $"Bearer {Token}")
                return Results.Json(new { ok = false, error = "invalid_auth" });
            var body = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
            if (Down)
                return Results.StatusCode(500);
            if (faults.TryDequeue(out var fault))
            {
                switch (fault)
                {
                    case RateLimited r:
                        return Results.Text("", statusCode: 429, contentType: "text/plain").WithHeader("Retry-After", r.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
                    case ServerError:
                        return Results.StatusCode(500);
                    case SlackError e:
                        return Results.Json(new { ok = false, error = e.Error });
                    case BadJson:
                        return Results.Text("{ok: tru", "application/json");
                    case PostedThenServerError:
                        Store(body!);
                        return Results.StatusCode(500);
                }
            }
            var message = Store(body!);
            return Results.Json(new { ok = true, channel = message.Channel, ts = message.Ts, message = new { text = message.Text } });
        });

        app.MapPost("/api/chat.update", async (HttpRequest request) =>
        {
            var body = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
            var channel = body!["channel"]!.GetValue<string>();
            var ts = body["ts"]!.GetValue<string>();
            if (!Posted.Any(m => m.Channel == channel && m.Ts == ts))
                return Results.Json(new { ok = false, error = "message_not_found" });
            Updates.Enqueue(new Update(channel, ts, body["text"]!.GetValue<string>()));
            return Results.Json(new { ok = true, channel, ts });
        });

        app.MapGet("/api/conversations.history", (string channel, string? oldest, bool? include_all_metadata) =>
        {
            Interlocked.Increment(ref historyCalls);
            var since = oldest is null ? 0 : double.Parse(oldest, CultureInfo.InvariantCulture);
            var messages = Posted.Where(m => m.Channel == channel && double.Parse(m.Ts, CultureInfo.InvariantCulture) >= since)
                .OrderByDescending(m => m.Ts, StringComparer.Ordinal)
                .Select(m => new JsonObject
                {
                    ["type"] = "message",
                    ["ts"] = m.Ts,
                    ["text"] = m.Text,
                    ["metadata"] = include_all_metadata == true && m.IdempotencyKey is not null
                        ? new JsonObject { ["event_type"] = "incidentdesk_page", ["event_payload"] = new JsonObject { ["idempotency_key"] = m.IdempotencyKey } }
                        : null,
                })
                .ToList();
            return Results.Json(new JsonObject { ["ok"] = true, ["messages"] = new JsonArray([.. messages]), ["has_more"] = false });
        });
    }

    private Message Store(JsonObject body)
    {
        // Slack's ts is "seconds.micro" and unique per channel; a counter keeps it unique here.
        var n = Interlocked.Increment(ref sequence);
        var ts = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{n:000000}");
        var key = body["metadata"]?["event_payload"]?["idempotency_key"]?.GetValue<string>();
        var message = new Message(body["channel"]!.GetValue<string>(), ts, body["text"]!.GetValue<string>(), body["blocks"]?.DeepClone(), key, DateTimeOffset.UtcNow);
        Posted.Enqueue(message);
        OnPosted?.Invoke(message);
        return message;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

internal static class ResultExtensions
{
    public static IResult WithHeader(this IResult result, string name, string value) => new HeaderResult(result, name, value);

    private sealed class HeaderResult(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}

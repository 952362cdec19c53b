using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentDesk.IntegrationTests.Ingestion.Fakes;

/// <summary>A fault the fake injects into the next matching request instead of (or around) the real answer.</summary>
public abstract record Fault(string PathContains)
{
    /// <summary>429 with <c>Retry-After: seconds</c>.</summary>
    public sealed record TooManyRequests(string PathContains, int RetryAfterSeconds = 1) : Fault(PathContains);

    public sealed record ServerError(string PathContains) : Fault(PathContains);

    /// <summary>Answers only after <see cref="Delay"/> (longer than the client's timeout).</summary>
    public sealed record Slow(string PathContains, TimeSpan Delay) : Fault(PathContains);

    /// <summary>The real answer cut in half: a body that ends mid-JSON.</summary>
    public sealed record Truncated(string PathContains) : Fault(PathContains);

    /// <summary>200 with a body that is not JSON at all.</summary>
    public sealed record Malformed(string PathContains) : Fault(PathContains);
}

/// <summary>
/// A small Kestrel app on a free loopback port standing in for a vendor API, with a queue of faults
/// to inject and a log of the requests it saw (path and query, in order).
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeHttpServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<Fault> Faults { get; } = new();

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>How many faults were actually served.</summary>
    public int FaultsServed => faultsServed;

    private int faultsServed;

    public static async Task<FakeHttpServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeHttpServer? server = null;
        app.Use(async (context, next) =>
        {
            server!.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            if (server.Faults.TryPeek(out var fault) && context.Request.Path.Value!.Contains(fault.PathContains, StringComparison.Ordinal)
                && server.Faults.TryDequeue(out fault))
            {
                Interlocked.Increment(ref server.faultsServed);
                await Serve(fault, context, next);
                return;
            }
            await next(context);
        });
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeHttpServer(app, new Uri(address + "/"));
        return server;
    }

    private static async Task Serve(Fault fault, HttpContext context, RequestDelegate next)
    {
        switch (fault)
        {
            case Fault.TooManyRequests f:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = f.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { error = "APIRateLimitExceeded", description = "Number of allowed API requests per minute exceeded" });
                break;
            case Fault.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("Internal Server Error");
                break;
            case Fault.Slow f:
                try
                {
                    await Task.Delay(f.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                await next(context);
                break;
            case Fault.Truncated:
                var original = context.Response.Body;
                using (var buffer = new MemoryStream())
                {
                    context.Response.Body = buffer;
                    await next(context);
                    context.Response.Body = original;
                    var bytes = buffer.ToArray();
                    context.Response.ContentLength = bytes.Length / 2;
                    await original.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                }
                break;
            case Fault.Malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

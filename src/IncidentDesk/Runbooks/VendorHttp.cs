using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace IncidentDesk.Runbooks;

/// <summary>A vendor call that did not succeed: worth retrying (5xx, 429, unreachable) or not (4xx).</summary>
public sealed class VendorException(string message, HttpStatusCode? status = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The vendor's <c>Retry-After</c> on 429/503, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Shared handling of the thin vendor clients: errors become <see cref="VendorException"/> with the vendor's words.</summary>
internal static class VendorHttp
{
    public static AuthenticationHeaderValue Basic(string user, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")));

    /// <summary>Sends and throws <see cref="VendorException"/> for an unreachable vendor or a non-success status.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string vendor, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new VendorException($"{vendor} unreachable: {e.Message}", inner: e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new VendorException($"{vendor} did not answer in time", inner: e);
        }
        if (response.IsSuccessStatusCode)
            return response;
        var body = await response.Content.ReadAsStringAsync(ct);
        var retryAfter = response.Headers.RetryAfter switch
        {
            // Jira, Zendesk and Unleash send seconds; an HTTP-date falls back to the engine's backoff.
            { Delta: { } delta } => delta,
            _ => (TimeSpan?)null,
        };
        response.Dispose();
        throw new VendorException($"{vendor} answered {(int)response.StatusCode} {response.StatusCode}: {Truncate(body)}", response.StatusCode, retryAfter);
    }

    public static StepOutcome.Retry Retry(VendorException e) => new(e.Message, e.RetryAfter);

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";
}

using System.Net;
using System.Text.Json;

namespace IncidentDesk.Ticketing;

/// <summary>GET-and-parse for the HTTP sources, turning every way a vendor API fails into a <see cref="SourceException"/>.</summary>
public static class SourceHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Sends <paramref name="request"/> and parses the body as <typeparamref name="T"/>.</summary>
    public static async Task<T> SendJsonAsync<T>(this HttpClient client, string source, HttpRequestMessage request, CancellationToken ct) =>
        await client.SendAsync<T>(source, request, notFoundIsNull: false, ct)
        ?? throw new SourceException(source, "malformed", $"{request.RequestUri?.AbsolutePath}: empty JSON body");

    /// <summary>As <see cref="SendJsonAsync{T}"/>, but a 404 is an answer (null): the record has no such sub-resource.</summary>
    public static Task<T?> SendJsonOrNullIfNotFoundAsync<T>(this HttpClient client, string source, HttpRequestMessage request, CancellationToken ct) =>
        client.SendAsync<T>(source, request, notFoundIsNull: true, ct);

    private static async Task<T?> SendAsync<T>(this HttpClient client, string source, HttpRequestMessage request, bool notFoundIsNull, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is TimeoutException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new SourceException(source, "timeout", $"{request.Method} {request.RequestUri?.AbsolutePath} timed out", e);
        }
        catch (HttpRequestException e)
        {
            throw new SourceException(source, "network", $"{request.Method} {request.RequestUri?.AbsolutePath}: {e.Message}", e);
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new SourceException(source, "server_error", "circuit open after repeated failures", e);
        }
        using (response)
        {
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
                return default;
            if (!response.IsSuccessStatusCode)
            {
                var kind = response.StatusCode == HttpStatusCode.TooManyRequests ? "rate_limited"
                    : (int)response.StatusCode >= 500 ? "server_error" : "client_error";
                throw new SourceException(source, kind, $"{request.Method} {request.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                return await JsonSerializer.DeserializeAsync<T>(body, Json, ct);
            }
            catch (JsonException e)
            {
                throw new SourceException(source, "malformed", $"{request.RequestUri?.AbsolutePath}: malformed JSON ({e.Message})", e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new SourceException(source, "network", $"{request.RequestUri?.AbsolutePath}: body cut off ({e.Message})", e);
            }
        }
    }
}

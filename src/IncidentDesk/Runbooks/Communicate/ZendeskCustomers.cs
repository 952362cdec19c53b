using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks.Communicate;

/// <summary>The Zendesk account for customer notices (see <see cref="RunbookVendorOptions"/>).</summary>
public sealed class ZendeskNoticeOptions : RunbookVendorOptions;

/// <summary>A ticket's requester, read at send time and kept only in memory (data minimisation).</summary>
public sealed record Requester(string Name, string? Email, string? Locale);

/// <summary>Reads requesters and writes public comments through the Zendesk Support API. Throws <see cref="VendorException"/>.</summary>
public sealed class ZendeskCustomers(HttpClient http, IOptions<ZendeskNoticeOptions> options)
{
    private const string Vendor = "Zendesk";

    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.BaseUrl);

    /// <summary><c>GET /api/v2/tickets/{id}</c> → requester_id → <c>GET /api/v2/users/{id}</c>.</summary>
    public async Task<Requester> RequesterAsync(string ticketId, CancellationToken ct)
    {
        var ticket = await GetAsync($"api/v2/tickets/{Uri.EscapeDataString(ticketId)}", ct);
        var requesterId = ticket["ticket"]?["requester_id"]?.ToString() ?? throw new VendorException($"Zendesk ticket {ticketId} has no requester");
        var user = (await GetAsync($"api/v2/users/{requesterId}", ct))["user"];
        return new Requester(user?["name"]?.GetValue<string>() ?? "", user?["email"]?.GetValue<string>(), user?["locale"]?.GetValue<string>());
    }

    /// <summary>Whether a comment on the ticket already contains <paramref name="reference"/> (a retried notice looks before posting again).</summary>
    public async Task<bool> HasCommentAsync(string ticketId, string reference, CancellationToken ct)
    {
        var comments = await GetAsync($"api/v2/tickets/{Uri.EscapeDataString(ticketId)}/comments", ct);
        return comments["comments"]?.AsArray().Any(c => c?["body"]?.GetValue<string>().Contains(reference, StringComparison.Ordinal) == true) == true;
    }

    /// <summary>Adds a public comment: <c>PUT /api/v2/tickets/{id}</c> with <c>ticket.comment {body, public: true}</c>.</summary>
    public async Task AddPublicCommentAsync(string ticketId, string body, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Put, $"api/v2/tickets/{Uri.EscapeDataString(ticketId)}");
        request.Content = JsonContent.Create(new { ticket = new { comment = new { body, @public = true } } });
        using var response = await VendorHttp.SendAsync(http, request, Vendor, ct);
    }

    private async Task<JsonObject> GetAsync(string path, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, path);
        using var response = await VendorHttp.SendAsync(http, request, Vendor, ct);
        return await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? [];
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var o = options.Value;
        var request = new HttpRequestMessage(method, new Uri(new Uri(o.BaseUrl!.TrimEnd('/') + "/"), path));
        if (!string.IsNullOrEmpty(o.Email))
            request.Headers.Authorization = VendorHttp.Basic($"{o.Email}/token", o.ApiToken ?? "");
        return request;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Paging.Email;

/// <summary>What a valid acknowledgment link grants: this person may acknowledge this incident.</summary>
public sealed record AckGrant(long IncidentId, string Person, DateTimeOffset Expires);

/// <summary>
/// One-click acknowledgment tokens: <c>base64url(incident.person.expiry) "." base64url(HMAC-SHA256(LinkSecret, payload))</c>.
/// Bound to one incident and one person, valid until the expiry; acknowledging twice changes nothing.
/// </summary>
public sealed class AckLinks(IOptions<PagingOptions> options, TimeProvider time)
{
    public bool Enabled => options.Value.LinkSecret.Length > 0;

    public string Create(long incidentId, string person)
    {
        var expires = time.GetUtcNow() + options.Value.LinkLifetime;
        var payload = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{incidentId}.{person}.{expires.ToUnixTimeSeconds()}"));
        return Base64Url(payload) + "." + Base64Url(Mac(payload));
    }

    public Uri LinkFor(long incidentId, string person) => new(new Uri(EnsureSlash(options.Value.PublicBaseUrl)), "ack/" + Create(incidentId, person));

    /// <summary>The grant, or null when the token is malformed, forged or expired.</summary>
    public AckGrant? Verify(string token)
    {
        if (!Enabled)
            return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
            return null;
        byte[] payload, mac;
        try
        {
            payload = FromBase64Url(token[..dot]);
            mac = FromBase64Url(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(payload)))
            return null;
        var parts = Encoding.UTF8.GetString(payload).Split('.');
        if (parts.Length < 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var incidentId)
            || !long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
            return null;
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresAt);
        if (time.GetUtcNow() >= expires)
            return null;
        // Person ids may contain dots: everything between the incident and the expiry is the person.
        return new AckGrant(incidentId, string.Join('.', parts[1..^1]), expires);
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.LinkSecret), payload);

    private static string EnsureSlash(string url) => url.EndsWith('/') ? url : url + "/";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}

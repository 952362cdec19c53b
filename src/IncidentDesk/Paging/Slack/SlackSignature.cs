using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentDesk.Paging.Slack;

/// <summary>Slack's v0 request signing: <c>v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))</c>, at most five minutes old.</summary>
public static class SlackSignature
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, string timestamp, byte[] body)
    {
        var basestring = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), basestring));
    }

    /// <summary>Whether the request is Slack's: a fresh timestamp and a matching signature, compared in constant time.</summary>
    public static bool Verify(string secret, string? timestamp, string? signature, byte[] body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
            return false;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return false;
        // Replay protection: a captured request is useless after five minutes (either direction covers clock skew).
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > MaxAge.TotalSeconds)
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}

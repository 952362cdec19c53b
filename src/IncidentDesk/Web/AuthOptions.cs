using System.Security.Cryptography;
using System.Text;
using IncidentDesk.Configuration;

namespace IncidentDesk.Web;

/// <summary>The four roles of the product; every <c>/api/</c> endpoint names the ones it allows.</summary>
public static class Roles
{
    public const string ShiftLead = "shift-lead";
    public const string Engineer = "engineer";
    public const string Manager = "manager";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([ShiftLead, Engineer, Manager, Admin]);
}

/// <summary>One API key: who holds it, the SHA-256 of the key (hex), and its role.</summary>
public sealed class ApiKey
{
    public string Name { get; set; } = "";
    public string KeyHash { get; set; } = "";
    public string Role { get; set; } = "";

    /// <summary>The value to put in <c>KeyHash</c> for a key: lowercase hex SHA-256 of its UTF-8 bytes.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>Section <c>Auth</c>: the API keys the service accepts.</summary>
public sealed class AuthOptions : IValidatedOptions
{
    public List<ApiKey> ApiKeys { get; set; } = [];

    public IEnumerable<string> Validate(string section)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            var at = $"{section}:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
                yield return $"{at}:Name: is required";
            else if (!names.Add(key.Name))
                yield return $"{at}:Name: '{key.Name}' is used twice";
            if (key.KeyHash.Length != 64 || !key.KeyHash.All(Uri.IsHexDigit))
                yield return $"{at}:KeyHash: must be the 64-character hex SHA-256 of the key";
            if (!Roles.All.Contains(key.Role))
                yield return $"{at}:Role: '{key.Role}' is not one of {string.Join(", ", Roles.All)}";
        }
    }
}

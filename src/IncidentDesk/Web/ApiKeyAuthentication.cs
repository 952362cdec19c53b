using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Web;

/// <summary>Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the hashed keys in <see cref="AuthOptions"/>.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        var presented = Convert.FromHexString(ApiKey.Hash(header["Bearer ".Length..].Trim()));
        // Compare every configured hash in constant time so the response time says nothing about near misses.
        ApiKey? match = null;
        foreach (var key in auth.Value.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(key.KeyHash)))
                match = key;
        }
        if (match is null)
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, match.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            "Send an API key as 'Authorization: Bearer <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden",
            "This API key's role may not call this endpoint.");
}

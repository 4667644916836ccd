using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>Accepts <c>Authorization: Bearer &lt;api key&gt;</c> on the JSON API.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PostmasterDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // Writing "last used" on every request would turn each read into a write.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var secret = header["Bearer ".Length..].Trim();
        if (secret.Length is 0 or > 200)
        {
            return AuthenticateResult.Fail("The API key is missing or malformed.");
        }

        var hash = ApiKeySecret.Hash(secret);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Hash == hash, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key is unknown or has been revoked.");
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedResolution)
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, $"apikey:{key.Id}"),
                new Claim(ClaimTypes.Name, $"API key '{key.Name}'"),
                new Claim(ClaimTypes.Role, key.Role),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await Results.Problem(
                statusCode: 401,
                title: "Authentication required",
                detail: failure ?? "Send 'Authorization: Bearer <api key>'. Admins create keys under Settings → API keys.")
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(
                statusCode: 403,
                title: "Not allowed",
                detail: "This API key's role may not do this; viewer keys can only read.")
            .ExecuteAsync(Context);
}

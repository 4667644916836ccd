using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;api key&gt;</c> on the JSON API. A key acts with the lower
/// of its own role and its owner's current role, looked up on every request, so demoting or
/// removing a person takes effect on their keys at once.
/// </summary>
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

        // The key and its owner's roles in one round trip: this runs on every API request.
        var hash = ApiKeySecret.Hash(secret);
        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash)
            .Select(k => new
            {
                k.Id,
                k.Name,
                k.Role,
                k.OwnerId,
                k.LastUsedAt,
                k.RevokedAt,
                k.RevokedReason,
                OwnerRoles = db.UserRoles.Where(ur => ur.UserId == k.OwnerId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToList(),
            })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or has been revoked.");
        }

        if (found.RevokedAt is not null)
        {
            return AuthenticateResult.Fail(found.RevokedReason ?? "The API key has been revoked; an admin can create a new one under Settings → API keys.");
        }

        if (found.OwnerId is null || found.OwnerRoles.Count == 0)
        {
            return AuthenticateResult.Fail(
                "The API key belongs to no user who may still sign in (its owner was removed or has no role), so it stopped working. Ask an admin for a new key.");
        }

        var ownerRole = found.OwnerRoles.Aggregate(Roles.Higher);
        var role = Roles.Lower(found.Role, ownerRole);

        var now = time.GetUtcNow();
        if (found.LastUsedAt is null || now - found.LastUsedAt > LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == found.Id).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, $"apikey:{found.Id}"),
                new Claim(ClaimTypes.Name, $"API key '{found.Name}'"),
                new Claim(ClaimTypes.Role, role),
                new Claim(AuthClaims.Actor, $"key:{found.Name}"),
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

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = (await HandleAuthenticateOnceSafeAsync()).Principal?.FindFirstValue(ClaimTypes.Role);
        await Results.Problem(
                statusCode: 403,
                title: "Not allowed",
                detail: $"This API key acts as {role ?? "nobody"} (the lower of the key's role and its owner's current role), which may not do this. " +
                        "Viewers read; responders change assets and sweeps; admins manage users, keys, the catalog and the audit trail.")
            .ExecuteAsync(Context);
    }
}

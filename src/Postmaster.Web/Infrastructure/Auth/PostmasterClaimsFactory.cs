using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// A signed-in person's claims: Identity's (name, roles, security stamp) plus their chosen time
/// zone, so that pages need no database read to show times their way. Built again at every
/// session check and when the person changes the zone.
/// </summary>
public sealed class PostmasterClaimsFactory(UserManager<PostmasterUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PostmasterUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PostmasterUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrEmpty(user.TimeZone))
        {
            identity.AddClaim(new Claim(AuthClaims.TimeZone, user.TimeZone));
        }

        return identity;
    }
}

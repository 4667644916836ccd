using Microsoft.AspNetCore.Identity;

namespace Postmaster.Web.Infrastructure.Auth;

public sealed class PostmasterUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// Start-up step after migrations: make sure the roles exist and that someone can sign in. On a
/// database with no users, either the configured bootstrap admin is created, or a one-time setup
/// token is logged for the first visitor.
/// </summary>
public static class FirstRun
{
    public static async Task EnsureSignInPossibleAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var roles = provider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = provider.GetRequiredService<UserManager<PostmasterUser>>();
        var db = provider.GetRequiredService<PostmasterDbContext>();
        var bootstrap = provider.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        var time = provider.GetRequiredService<TimeProvider>();
        var log = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FirstRun));

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var hasUsers = await users.Users.AnyAsync(cancellationToken);
        if (!hasUsers && !string.IsNullOrWhiteSpace(bootstrap.AdminEmail))
        {
            var admin = new PostmasterUser
            {
                UserName = bootstrap.AdminEmail,
                Email = bootstrap.AdminEmail,
                EmailConfirmed = true,
                CreatedAt = time.GetUtcNow(),
            };
            Check(await users.CreateAsync(admin, bootstrap.AdminPassword!), "create the bootstrap admin (Postmaster:Bootstrap:AdminEmail)");
            Check(await users.AddToRoleAsync(admin, Roles.Admin), "make the bootstrap admin an Admin");
            log.LogInformation("Created bootstrap admin {Email}", bootstrap.AdminEmail);
            hasUsers = true;
        }

        if (!string.IsNullOrWhiteSpace(bootstrap.ApiKey))
        {
            var hash = ApiKeySecret.Hash(bootstrap.ApiKey);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Name = "bootstrap",
                    Prefix = ApiKeySecret.PrefixOf(bootstrap.ApiKey),
                    Hash = hash,
                    Role = Roles.Admin,
                    CreatedAt = time.GetUtcNow(),
                    CreatedBy = "Postmaster:Bootstrap:ApiKey",
                });
                await db.SaveChangesAsync(cancellationToken);
                log.LogInformation("Seeded the bootstrap API key");
            }
        }

        if (await ApiKeyOwners.AdoptOrphansAsync(db, bootstrap.AdminEmail, cancellationToken) is > 0 and var adopted)
        {
            log.LogInformation("{Count} API keys without an owner now belong to the bootstrap admin", adopted);
        }

        if (!hasUsers)
        {
            var token = provider.GetRequiredService<SetupToken>().Issue();
            log.LogWarning(
                "No users yet. Open /setup?token={SetupToken} in a browser to create the first admin (the token works once, until restart).",
                token);
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}

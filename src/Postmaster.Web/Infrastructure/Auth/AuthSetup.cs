using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Infrastructure.Auth;

public static class AuthSetup
{
    public const int MinimumPasswordLength = 12;

    /// <summary>Identity with cookies for people, API keys for programs, three roles.</summary>
    public static WebApplicationBuilder AddPostmasterAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BootstrapOptions>()
            .Bind(builder.Configuration.GetSection(BootstrapOptions.Section))
            .Validate(
                o => string.IsNullOrWhiteSpace(o.AdminEmail) || (o.AdminPassword?.Length ?? 0) >= MinimumPasswordLength,
                $"Postmaster:Bootstrap:AdminPassword must be set, at least {MinimumPasswordLength} characters, when AdminEmail is.")
            .Validate(
                o => string.IsNullOrWhiteSpace(o.ApiKey) || o.ApiKey.Length >= 24,
                "Postmaster:Bootstrap:ApiKey must be at least 24 characters (e.g. the output of `openssl rand -hex 24`).")
            .ValidateOnStart();

        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (auth.SessionCheckSeconds is < 0 or > 3600 || auth.SignInAttemptsPerMinute < 1)
        {
            throw new InvalidOperationException(
                "Postmaster:Auth:SessionCheckSeconds must be between 0 and 3600, and Postmaster:Auth:SignInAttemptsPerMinute at least 1.");
        }

        services.AddSingleton<SetupToken>();
        services.AddSingleton<DecoyPassword>();
        services.AddSignInLimits(auth);
        services.TryAddTimeProvider();

        services.AddIdentity<PostmasterUser, IdentityRole>(o =>
            {
                // Length over composition (NIST SP 800-63B §5.1.1.2).
                o.Password.RequiredLength = MinimumPasswordLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = true;

                // No lockout: ten wrong passwords from anyone would lock the admin out. Guessing is
                // held back per client address instead (SignInLimits), with 12+ character passwords.
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddEntityFrameworkStores<PostmasterDbContext>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<PostmasterClaimsFactory>();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/Denied";
            o.Cookie.Name = "postmaster";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
        });

        // A removed user, or one whose role or password changed (new security stamp), loses their
        // session at the next check; until then the cookie is trusted as issued.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(auth.SessionCheckSeconds));

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            // Every page needs a signed-in user unless it says [AllowAnonymous].
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.CanEdit, p => p.RequireRole(Roles.Admin, Roles.Responder))
            .AddPolicy(Policies.AdminOnly, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Api, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());

        return builder;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

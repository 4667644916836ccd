using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// How the app meets browsers and reverse proxies: which proxies are believed about the client's
/// address and scheme, cookies that follow that scheme, HSTS, the security headers, and a word in the
/// log when any Host header is accepted in production.
/// </summary>
public static class HttpSecuritySetup
{
    public static WebApplicationBuilder AddPostmasterHttpSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(HttpOptions.Section);
        services.AddOptions<HttpOptions>()
            .Bind(section)
            .Configure(o =>
            {
                // An environment variable holds one string (Postmaster__Http__TrustedProxies=10.0.0.5;10.0.0.6):
                // read it as a list rather than trusting nobody without a word.
                if (section[nameof(HttpOptions.TrustedProxies)] is { Length: > 0 } list)
                {
                    o.TrustedProxies.AddRange(list.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>());

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HttpOptions>>((o, http) =>
        {
            // ASP.NET Core believes loopback by default; Postmaster believes only the proxies named in
            // its settings, so a client cannot claim HTTPS (or another address) by sending the headers itself.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            var proxies = TrustedProxies.Parse(http.Value.TrustedProxies, out _);

            // With no known proxy at all the middleware would believe everyone: read no header then.
            o.ForwardedHeaders = proxies.Addresses.Count + proxies.Networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var address in proxies.Addresses)
            {
                o.KnownProxies.Add(address);
            }

            foreach (var network in proxies.Networks)
            {
                o.KnownIPNetworks.Add(network);
            }

            // A chain of trusted proxies (load balancer, then nginx) is unwound hop by hop; the walk
            // stops at the first address that is not trusted, so a client-supplied entry is never used.
            o.ForwardLimit = null;
        });

        // One year, as OWASP's HSTS cheat sheet advises; no includeSubDomains: the app does not own its
        // parent domain's other hosts.
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));

        // Secure whenever the browser came over HTTPS, as the forwarded headers (applied first) tell;
        // still usable over plain HTTP on a laptop. PostConfigure: runs after AuthSetup's own settings.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.Configure<AntiforgeryOptions>(o =>
        {
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

            // SecurityHeaders sends DENY on every answer; antiforgery's SAMEORIGIN on form pages would be weaker.
            o.SuppressXFrameOptionsHeader = true;
        });
        return builder;
    }

    /// <summary>First in the pipeline: later middleware (HSTS, cookies, redirects) sees the client's real scheme.</summary>
    public static WebApplication UsePostmasterHttpSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();

        // HSTS only outside Development: a developer's browser must not be pinned to HTTPS for
        // localhost-like names. ASP.NET sends it only over HTTPS and never for localhost itself.
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        WarnWhenAnyHostIsAllowed(app);
        return app;
    }

    private static void WarnWhenAnyHostIsAllowed(WebApplication app)
    {
        // Host filtering is ASP.NET Core's own (AllowedHosts, read by the web host defaults); unset means "*".
        var hosts = app.Configuration["AllowedHosts"];
        if (app.Environment.IsProduction() && (string.IsNullOrWhiteSpace(hosts) || hosts.Split(';').Any(h => h.Trim() == "*")))
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpSecuritySetup)).LogWarning(
                "AllowedHosts is * (any host): the app answers to any Host header, and the sign-in redirects it builds follow that header. " +
                "Set AllowedHosts to the host name people use (e.g. AllowedHosts=postmaster.example.com; several separated by ';').");
        }
    }
}

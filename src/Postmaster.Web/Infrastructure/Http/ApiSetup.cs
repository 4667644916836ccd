using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>How everything under /api answers: as an API, never as the HTML site.</summary>
public static class ApiSetup
{
    public const string Prefix = "/api";

    /// <summary>The default scheme: the API key under /api, the sign-in cookie everywhere else.</summary>
    private const string ApiOrCookie = "ApiOrCookie";

    public static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddPostmasterApiBehaviour(this IServiceCollection services)
    {
        // A field the API does not know is a mistake worth naming (a typo, or a call meant for another endpoint).
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);

        // Binding failures reach BadRequestProblems, which says what was wrong, instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblems>();

        // Without this, a request under /api that no endpoint's policy covers (an unknown path, a wrong method or
        // content type) falls to the fallback policy, whose default challenge is the cookie's redirect to /login.
        services.AddAuthentication().AddPolicyScheme(ApiOrCookie, "API key under /api, cookie elsewhere", o =>
            o.ForwardDefaultSelector = http => IsApi(http) ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme);
        services.PostConfigure<AuthenticationOptions>(o =>
        {
            o.DefaultAuthenticateScheme = ApiOrCookie;
            o.DefaultChallengeScheme = ApiOrCookie;
            o.DefaultForbidScheme = ApiOrCookie;
        });

        services.AddOpenApi(o =>
        {
            o.AddOperationTransformer<OpenApiOperationContract>();
            o.AddDocumentTransformer<OpenApiDocumentContract>();
        });
        return services;
    }

    /// <summary>Gives bodiless 404, 405 and 415 answers under /api a problem+json body; place it inside UseStatusCodePages.</summary>
    public static IApplicationBuilder UsePostmasterApiProblems(this IApplicationBuilder app) =>
        app.UseWhen(IsApi, api => api.UseMiddleware<StatusProblems>());
}

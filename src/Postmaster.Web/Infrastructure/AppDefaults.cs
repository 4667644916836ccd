using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Caching;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Web.Infrastructure;

/// <summary>What every Postmaster instance has: logging, problem details, pages, OpenAPI, health.</summary>
public static class AppDefaults
{
    public static WebApplicationBuilder AddPostmasterDefaults(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/";
            o.Conventions.AllowAnonymousToPage("/Account/Login");
            o.Conventions.AllowAnonymousToPage("/Account/Setup");
            o.Conventions.AllowAnonymousToPage("/Account/Denied");
            o.Conventions.AuthorizeFolder("/Settings", Policies.AdminOnly);
            o.Conventions.AddPageRoute("/Account/Login", "/login");
            o.Conventions.AddPageRoute("/Account/Setup", "/setup");
            o.Conventions.AddPageRoute("/Dashboard/Index", "");
            o.Conventions.AddPageRoute("/Incidents/Details", "incidents/{id:long}");
            o.Conventions.AddPageRoute("/Requests/Details", "requests/{id:long}");
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower));
        });
        builder.Services.AddPostmasterApiBehaviour();
        builder.AddPostmasterHttpSecurity();
        builder.Services.AddMemoryCache();
        builder.Services.AddHybridCache(); // in-process only: no distributed cache is registered
        builder.Services.AddSingleton<SharedReads>();
        builder.Services.AddOptions<DisplayOptions>().Bind(builder.Configuration.GetSection(DisplayOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DisplayOptions>, DisplayOptions.Validator>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ViewerTime>();
        return builder;
    }

    public static WebApplication UsePostmasterDefaults(this WebApplication app)
    {
        app.UsePostmasterHttpSecurity();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UsePostmasterApiProblems();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseSignInLimits(); // sign-in attempts per client address, by routed page
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapPostmasterDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            // Liveness: 200 when the app and its database answer, 503 otherwise.
            ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = 200 },
        }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapRazorPages();
        return app;
    }

    /// <summary>The JSON API: every call under /api needs an API key.</summary>
    public static RouteGroupBuilder MapPostmasterApi(this WebApplication app) =>
        app.MapGroup("/api").RequireAuthorization(Policies.Api);
}

using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Templates;
using Postmaster.Web.Organisation;

namespace Postmaster.Web.Requests;

public static class RequestSetup
{
    /// <summary>Request templates, the organisation profile; drafting, sending and tracking requests; replies and follow-ups.</summary>
    public static WebApplicationBuilder AddRequests(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RequestOptions>().Bind(builder.Configuration.GetSection(RequestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequestOptions>, RequestOptionsValidator>();
        services.AddSingleton(sp => RequestTemplateCatalog.Load(
            sp.GetRequiredService<TemplatesLocation>().Providers, sp.GetRequiredService<ProviderRegistry>()));
        services.AddScoped<OrganisationProfiles>();

        // The posture feature replaces this with its checks; until then every check is unknown.
        services.AddSingleton<IRequestPosture, UnknownRequestPosture>();
        services.AddScoped<RequestModels>();
        services.AddScoped<RequestJournal>();
        services.AddScoped<RequestDrafts>();
        services.AddScoped<RequestTracking>();
        services.AddScoped<RequestMailer>();
        services.AddScoped<RequestQueries>();
        return builder;
    }

    /// <summary>
    /// Start-up: every request template parses and renders the built-in sample incident, or the app
    /// does not start. The log and the exception say which file and line, and why.
    /// </summary>
    public static void ValidateRequestTemplates(this IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<RequestTemplateCatalog>();
        }
        catch (RequestTemplateException e)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Postmaster.Web.Requests.RequestTemplates")
                .LogCritical("Postmaster cannot start: {Problems}", e.Message);
            throw;
        }
    }
}

using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Templates;

namespace Postmaster.Web.Requests;

public static class RequestSetup
{
    /// <summary>Request templates; drafting, sending and tracking requests; replies and follow-ups.</summary>
    public static WebApplicationBuilder AddRequests(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => RequestTemplateCatalog.Load(
            sp.GetRequiredService<TemplatesLocation>().Providers, sp.GetRequiredService<ProviderRegistry>()));
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

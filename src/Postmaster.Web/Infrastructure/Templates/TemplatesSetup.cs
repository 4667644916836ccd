using Postmaster.Core.Providers;

namespace Postmaster.Web.Infrastructure.Templates;

public static class TemplatesSetup
{
    /// <summary>The templates folder and the provider registry, shared by every feature that reads provider knowledge.</summary>
    public static WebApplicationBuilder AddProviderKnowledge(this WebApplicationBuilder builder)
    {
        var templates = TemplatesLocation.Resolve(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(templates);
        builder.Services.AddSingleton(_ => ProviderRegistry.Load(templates.Providers));
        return builder;
    }
}

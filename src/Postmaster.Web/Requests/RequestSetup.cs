using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Templates;
using Postmaster.Web.Organisation;
using Quartz;

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

        services.AddScoped<RequestPosture>();
        services.AddScoped<RequestModels>();
        services.AddScoped<RequestJournal>();
        services.AddScoped<RequestDrafts>();
        services.AddScoped<RequestTracking>();
        services.AddScoped<RequestMailer>();
        services.AddScoped<RequestQueries>();
        services.AddScoped<RequestReplyPoller>();
        services.AddScoped<RequestFollowUps>();
        return builder;
    }

    /// <summary>The follow-up scan and the reply mailbox's poll (when one is set), declared with the other schedules.</summary>
    public static void AddRequestSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(RequestOptions.Section).Get<RequestOptions>() ?? new RequestOptions();
        quartz.ScheduleJob<RequestFollowUpJob>(
            t => t.WithIdentity("follow-up-scan", "requests").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Clamp(options.FollowUpScanSeconds, 1, 3600))).RepeatForever()),
            j => j.WithIdentity("follow-up-scan", "requests"));
        if (!string.IsNullOrWhiteSpace(options.Imap.Host))
        {
            quartz.ScheduleJob<RequestReplyPollJob>(
                t => t.WithIdentity("reply-poll", "requests").StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Max(5, options.ImapPollSeconds))).RepeatForever()),
                j => j.WithIdentity("reply-poll", "requests"));
        }
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

using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Posture;
using Postmaster.Web.Blocklists;
using Quartz;

namespace Postmaster.Web.Posture;

public static class PostureSetup
{
    /// <summary>Options, the DNS and HTTP edges (the app's resolvers: <c>Postmaster:Dns</c>), the service and queries.</summary>
    public static WebApplicationBuilder AddPosture(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PostureOptions>().Bind(builder.Configuration.GetSection(PostureOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => CronExpression.TryParse(o.Schedule, out _),
                "Postmaster:Posture:Schedule is not a valid Quartz cron expression (e.g. \"0 10 0/6 * * ?\" for every 6 hours).")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var dns = sp.GetRequiredService<IOptions<DnsOptions>>().Value;
            return new PostureResolver(dns.Servers.Select(DnsblResolver.ParseServer).ToList(), TimeSpan.FromSeconds(dns.TimeoutSeconds), dns.Retries);
        });
        services.AddSingleton(new WebsiteProbe(new WebsiteProbeOptions()));
        services.AddScoped<PostureSubjects>();
        services.AddScoped<PostureService>();
        services.AddScoped<PostureQueries>();
        return builder;
    }

    /// <summary>The recurring refresh, declared with the other schedules.</summary>
    public static void AddPostureSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(PostureOptions.Section).Get<PostureOptions>() ?? new PostureOptions();
        if (!options.ScheduledRefresh || !CronExpression.TryParse(options.Schedule, out _))
        {
            return;
        }

        quartz.ScheduleJob<PostureRefreshJob>(
            trigger => trigger.WithIdentity("posture-refresh", PostureRefreshJob.Group).WithCronSchedule(options.Schedule),
            job => job.WithIdentity("posture-refresh", PostureRefreshJob.Group));
    }
}

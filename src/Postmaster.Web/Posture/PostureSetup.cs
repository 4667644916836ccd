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
        services.AddSingleton(sp => LoadPublicSuffixes(
            sp.GetRequiredService<IOptions<PostureOptions>>().Value.PublicSuffixList, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PostureSetup))));
        services.AddScoped<PostureSubjects>();
        services.AddScoped<PostureService>();
        services.AddScoped<PostureQueries>();
        return builder;
    }

    /// <summary>
    /// The Public Suffix List from its file; a missing or unreadable file leaves the last-two-labels
    /// guess and says so, since a DMARC check under a two-label suffix (co.uk, com.au) then looks in
    /// the wrong place.
    /// </summary>
    public static PublicSuffixes LoadPublicSuffixes(string path, ILogger log)
    {
        try
        {
            using var reader = new StreamReader(path);
            var list = PublicSuffixes.Parse(reader);
            if (list.RuleCount > 0)
            {
                return list;
            }

            log.LogWarning("The public suffix list {Path} holds no rules: DMARC's organisational domain is taken as the last two labels.", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("No public suffix list at {Path} ({Reason}): DMARC's organisational domain is taken as the last two labels, wrong under suffixes "
                + "such as co.uk. Install the publicsuffix package or set Postmaster:Posture:PublicSuffixList.", path, e.Message);
        }

        return PublicSuffixes.LastTwoLabels;
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

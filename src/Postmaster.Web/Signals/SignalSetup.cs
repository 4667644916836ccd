using Postmaster.Core.Blocklists;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Web.Signals.Probes;
using Quartz;

namespace Postmaster.Web.Signals;

public static class SignalSetup
{
    /// <summary>Provider packs, the classifier, ingestion, episodes, and the log and mailbox followers.</summary>
    public static WebApplicationBuilder AddSignals(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignalOptions>().Bind(builder.Configuration.GetSection(SignalOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Episodes.Keys.All(k => SignalNames.ParseKind(k) is not null),
                "Postmaster:Signals:Episodes keys must be kinds: ip-reputation, blocklist, rate-limit, auth, content, policy, user-unknown, other.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ResponseClassifier(
            sp.GetRequiredService<ProviderRegistry>().Packs,
            sp.GetRequiredService<BlocklistCatalog>().Lists.Select(l => new KeyValuePair<string, string>(l.Zone, l.Provider))));
        services.AddScoped<SignalStore>();
        services.AddScoped<EpisodeTracker>();
        services.AddScoped<SignalIngestor>();
        services.AddScoped<SignalQueries>();
        services.AddScoped<LogFollower>();
        services.AddScoped<ImapPoller>();
        builder.AddSignalProbes();
        return builder;
    }

    public static void AddSignalSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(SignalOptions.Section).Get<SignalOptions>() ?? new SignalOptions();
        quartz.ScheduleJob<EpisodeReviewJob>(
            t => t.WithIdentity("episode-review", "signals").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(5)).RepeatForever()),
            j => j.WithIdentity("episode-review", "signals"));
        if (options.LogFiles.Count > 0)
        {
            quartz.ScheduleJob<LogFollowJob>(
                t => t.WithIdentity("log-follow", "signals").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(options.LogPollSeconds)).RepeatForever()),
                j => j.WithIdentity("log-follow", "signals"));
        }

        if (!string.IsNullOrWhiteSpace(options.Imap.Host))
        {
            quartz.ScheduleJob<ImapPollJob>(
                t => t.WithIdentity("imap-poll", "signals").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(options.ImapPollSeconds)).RepeatForever()),
                j => j.WithIdentity("imap-poll", "signals"));
        }

        quartz.AddProbeSchedule(configuration);
    }

    /// <summary>Fails start-up on a broken provider pack, naming the file; builds the classifier's indexes before the first reply.</summary>
    public static void ValidateProviderPacks(this IServiceProvider services)
    {
        services.GetRequiredService<ProviderRegistry>();
        services.GetRequiredService<ResponseClassifier>();
    }
}

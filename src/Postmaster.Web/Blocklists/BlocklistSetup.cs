using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Templates;
using Quartz;

namespace Postmaster.Web.Blocklists;

public static class BlocklistSetup
{
    /// <summary>Catalog, DNS lookups, sweeps and their Quartz jobs.</summary>
    public static WebApplicationBuilder AddBlocklists(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BlocklistOptions>().Bind(builder.Configuration.GetSection(BlocklistOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => CronExpression.TryParse(o.SweepSchedule, out _),
                "Postmaster:Blocklists:SweepSchedule is not a valid Quartz cron expression (e.g. \"0 0/30 * * * ?\" for every 30 minutes).")
            .ValidateOnStart();
        services.AddOptions<DnsOptions>().Bind(builder.Configuration.GetSection(DnsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(sp => BlocklistCatalog.Load(sp.GetRequiredService<TemplatesLocation>().Catalog));
        services.AddSingleton(sp =>
        {
            var dns = sp.GetRequiredService<IOptions<DnsOptions>>().Value;
            return new DnsblResolver(new DnsblResolverOptions
            {
                Servers = dns.Servers.Select(DnsblResolver.ParseServer).ToList(),
                Timeout = TimeSpan.FromSeconds(dns.TimeoutSeconds),
                Retries = dns.Retries,
            });
        });
        services.AddSingleton(sp => new DnsblSweeper(
            sp.GetRequiredService<DnsblResolver>(), sp.GetRequiredService<IOptions<BlocklistOptions>>().Value.Concurrency));
        services.AddSingleton<SweepLists>();
        services.AddScoped<BlocklistDirectory>();
        services.AddScoped<ListHealthChecks>();
        services.AddScoped<SweepCoordinator>();
        services.AddScoped<SweepPlanner>();
        services.AddScoped<SweepChunkProcessor>();
        services.AddScoped<ListingQueries>();
        services.AddScoped<AdHocLookup>();
        return builder;
    }

    /// <summary>The recurring sweep, declared with the other schedules in one place.</summary>
    public static void AddBlocklistSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(BlocklistOptions.Section).Get<BlocklistOptions>() ?? new BlocklistOptions();
        if (!options.ScheduledSweeps || !CronExpression.TryParse(options.SweepSchedule, out _))
        {
            return;
        }

        quartz.ScheduleJob<ScheduledSweepJob>(
            trigger => trigger.WithIdentity("scheduled-sweep", SweepJobs.Group).WithCronSchedule(options.SweepSchedule),
            job => job.WithIdentity("scheduled-sweep", SweepJobs.Group));
    }

    /// <summary>Start-up: seed the catalog; on the in-memory store, close runs a restart orphaned.</summary>
    public static async Task InitializeBlocklistsAsync(this IServiceProvider services, bool clustered)
    {
        await services.SeedBlocklistCatalogAsync();
        if (!clustered)
        {
            await SweepCoordinator.FailInterruptedSweepsAsync(services);
        }
    }
}

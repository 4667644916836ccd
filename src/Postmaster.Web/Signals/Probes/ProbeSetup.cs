using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace Postmaster.Web.Signals.Probes;

public static class ProbeSetup
{
    /// <summary>How long after start-up the first probe runs, and how far apart the probes' first runs are.</summary>
    public static readonly TimeSpan FirstRunDelay = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan FirstRunStagger = TimeSpan.FromMinutes(1);

    /// <summary>The probes' options, validated at start-up against the provider packs, and the runner.</summary>
    public static WebApplicationBuilder AddSignalProbes(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalProbes(builder.Configuration);
        return builder;
    }

    /// <inheritdoc cref="AddSignalProbes(WebApplicationBuilder)"/>
    public static IServiceCollection AddSignalProbes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProbeOptions>()
            .Configure(o => o.Probes = ProbeOptions.From(configuration).Probes)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProbeOptions>, ProbeOptionsValidator>());
        services.TryAddScoped<ProbeRunner>();
        return services;
    }

    /// <summary>One trigger per enabled probe at its interval, the first a little after start-up, staggered so probes do not start together.</summary>
    public static void AddProbeSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var probes = ProbeOptions.From(configuration).Probes;
        var start = DateTimeOffset.UtcNow + FirstRunDelay;
        for (var i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            if (!probe.Enabled || probe.IntervalMinutes < ProbeDefinition.MinimumIntervalMinutes)
            {
                continue; // an invalid interval fails start-up in the options validation
            }

            var index = i;
            var name = $"probe-{index}-{probe.Provider}";
            var first = start + (FirstRunStagger * index);
            quartz.ScheduleJob<ProbeJob>(
                t => t.WithIdentity(name, ProbeJob.Group)
                    .StartAt(first)
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(probe.IntervalMinutes)).RepeatForever()
                        .MeasureIntervalFromCompletion(true).WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                j => j.WithIdentity(name, ProbeJob.Group).UsingJobData(ProbeJob.IndexKey, index));
        }
    }
}

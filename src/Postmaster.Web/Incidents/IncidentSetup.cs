using Quartz;

namespace Postmaster.Web.Incidents;

public static class IncidentSetup
{
    public static WebApplicationBuilder AddIncidents(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IncidentOptions>()
            .Bind(builder.Configuration.GetSection(IncidentOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<IncidentRetentionOptions>()
            .Bind(builder.Configuration.GetSection(IncidentRetentionOptions.Section))
            .Validate(o => o.EventDays >= 1, "Postmaster:Retention:EventDays must be at least 1.")
            .ValidateOnStart();
        services.AddScoped<IncidentTurns>();
        services.AddScoped<AssetGroups>();
        services.AddScoped<IncidentProviders>();
        services.AddScoped<ListingEvidence>();
        services.AddScoped<RejectionEvidence>();
        services.AddScoped<SweepChecks>();
        services.AddScoped<IncidentEngine>();
        services.AddScoped<IncidentQueries>();
        services.AddScoped<IncidentChanges>();
        services.AddSingleton<IncidentTrigger>();
        return builder;
    }

    /// <summary>The catch-up pass and the nightly clean-up, declared with the other schedules.</summary>
    public static void AddIncidentSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var seconds = configuration.GetSection(IncidentOptions.Section).Get<IncidentOptions>()?.CatchUpSeconds ?? 30;
        quartz.ScheduleJob<IncidentCatchUpJob>(
            trigger => trigger.WithIdentity("incident-catch-up", "incidents").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Max(5, seconds))).RepeatForever()),
            job => job.WithIdentity("incident-catch-up", "incidents"));
        quartz.ScheduleJob<IncidentRetentionJob>(
            trigger => trigger.WithIdentity("incident-retention", "incidents").WithCronSchedule("0 35 3 * * ?"),
            job => job.WithIdentity("incident-retention", "incidents"));
    }
}

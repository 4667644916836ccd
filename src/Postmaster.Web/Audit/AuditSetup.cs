using Quartz;

namespace Postmaster.Web.Audit;

public static class AuditSetup
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<AuditQueries>();
        builder.Services.AddOptions<AuditRetentionOptions>()
            .Bind(builder.Configuration.GetSection(AuditRetentionOptions.Section))
            .Validate(o => o.AuditDays >= 1, "Postmaster:Retention:AuditDays must be at least 1.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>The nightly clean-up, declared with the other schedules.</summary>
    public static void AddAuditSchedule(this IQuartzBuilder quartz) =>
        quartz.ScheduleJob<AuditRetentionJob>(
            trigger => trigger.WithIdentity("audit-retention", "audit").WithCronSchedule("0 20 3 * * ?"),
            job => job.WithIdentity("audit-retention", "audit"));
}

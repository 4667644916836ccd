using Postmaster.Web.Infrastructure.Database;
using Quartz;

namespace Postmaster.Web.Infrastructure.Scheduling;

public static class SchedulingSetup
{
    /// <summary>
    /// Quartz in the app. One instance on SQLite keeps jobs in memory; with
    /// <c>Postmaster:Scheduler:Clustered</c> the jobs live in PostgreSQL so that several instances
    /// share them and a dead instance's jobs are recovered by another. Features add their jobs
    /// through <see cref="IQuartzBuilder"/> in their own <c>AddX</c> methods.
    /// </summary>
    public static WebApplicationBuilder AddPostmasterScheduling(this WebApplicationBuilder builder, Action<IQuartzBuilder>? configureJobs = null)
    {
        var options = builder.Configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.Clustered && database.Provider != DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Postmaster:Scheduler:Clustered needs Postmaster:Database:Provider=Postgres: the cluster shares its jobs through PostgreSQL.");
        }

        if (options.Workers is < 1 or > 64)
        {
            throw new InvalidOperationException($"Postmaster:Scheduler:Workers must be between 1 and 64 (it is {options.Workers}).");
        }

        if (options.CheckinSeconds is <= 0 or > 3600 || options.FailoverSeconds is <= 0 or > 3600)
        {
            throw new InvalidOperationException("Postmaster:Scheduler:CheckinSeconds and :FailoverSeconds must be more than 0 and at most 3600.");
        }

        builder.Services.Configure<SchedulerOptions>(builder.Configuration.GetSection(SchedulerOptions.Section));
        builder.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = options.Workers);
            if (options.Clustered)
            {
                var connectionString = DatabaseSetup.ResolveConnectionString(builder.Configuration, builder.Environment, database.Provider);
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString);
                    store.UseSystemTextJsonSerializer();
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(options.CheckinSeconds);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(options.FailoverSeconds);
                    });
                    store.ProvisionSchema();
                });
            }

            configureJobs?.Invoke(q);
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}

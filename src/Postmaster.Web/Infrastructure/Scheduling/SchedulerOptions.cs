namespace Postmaster.Web.Infrastructure.Scheduling;

/// <summary>Binds <c>Postmaster:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Postmaster:Scheduler";

    /// <summary>Quartz's clustered AdoJobStore on PostgreSQL, for several app instances on one database.</summary>
    public bool Clustered { get; set; }
}

namespace Postmaster.Web.Infrastructure.Scheduling;

/// <summary>Binds <c>Postmaster:Scheduler</c>.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Postmaster:Scheduler";

    /// <summary>Quartz's clustered AdoJobStore on PostgreSQL, for several app instances on one database.</summary>
    public bool Clustered { get; set; }

    /// <summary>
    /// Jobs that run at once in this instance. A sweep chunk holds a worker while it waits for its
    /// DNS turn and while it commits, so with too few workers the DNS sat idle while every worker
    /// was committing, and other jobs (bounce polls, alerts) waited behind a sweep.
    /// </summary>
    public int Workers { get; set; } = 8;
}

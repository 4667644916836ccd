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

    /// <summary>Clustered only: how often an instance records that it is alive (Quartz's default, 7.5 s).</summary>
    public double CheckinSeconds { get; set; } = 7.5;

    /// <summary>
    /// Clustered only: how long past a missed check-in the others wait before taking a silent
    /// instance's running jobs over (a sweep chunk runs again elsewhere). Raise it past the longest
    /// pause you expect (a VM migration, a database failover), or live instances get written off.
    /// </summary>
    public double FailoverSeconds { get; set; } = 7.5;
}

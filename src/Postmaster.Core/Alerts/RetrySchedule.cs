namespace Postmaster.Core.Alerts;

/// <summary>
/// When a failed delivery is tried again: the first retry after <c>first</c>, each later one after
/// twice the wait before, never more than <see cref="MaxWait"/> apart, so an outage of an afternoon
/// is bridged by a handful of tries and the mail arrives soon after the server is back.
/// </summary>
public static class RetrySchedule
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(30);

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1 for the first).</summary>
    public static TimeSpan After(int attempts, TimeSpan first)
    {
        var wait = first;
        for (var i = 1; i < attempts && wait < MaxWait; i++)
        {
            wait += wait;
        }

        return wait < MaxWait ? wait : MaxWait;
    }
}

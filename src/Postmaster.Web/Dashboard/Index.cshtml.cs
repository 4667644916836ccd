using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Infrastructure.Caching;

namespace Postmaster.Web.Dashboard;

/// <summary>
/// The triage view: what is blocked now, whether the last sweep could see anything, and the other
/// signs of trouble, from one <see cref="DashboardSnapshot"/> that every viewer shares.
/// </summary>
public sealed class IndexModel(SharedReads shared) : PageModel
{
    /// <summary>How long one reading of the installation serves every viewer: the page says as of when.</summary>
    public static readonly TimeSpan SnapshotFor = TimeSpan.FromSeconds(5);

    public DashboardSnapshot Snapshot { get; private set; } = null!;

    /// <summary>
    /// The figures are read at most every <see cref="SnapshotFor"/>, once for all viewers: 32
    /// people (or one wall screen per team) refreshing the triage view cost one set of queries, not
    /// 32, and a change shows within seconds (alerts are the fast path).
    /// </summary>
    public async Task OnGetAsync(CancellationToken ct) =>
        Snapshot = await shared.GetAsync("dashboard", SnapshotFor, DashboardSnapshot.ReadAsync, ct);
}

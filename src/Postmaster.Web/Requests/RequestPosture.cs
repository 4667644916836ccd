using Postmaster.Core.Requests;
using Postmaster.Web.Incidents;
using Postmaster.Web.Posture;

namespace Postmaster.Web.Requests;

/// <summary>
/// The posture of an incident's asset group, as drafts quote it (templates read <c>posture</c>):
/// the stored result of the posture checks (the schedule or <c>POST /api/posture/{asset}/refresh</c>
/// ran them). Drafting looks nothing up itself, so a draft never waits on DNS. A value whose checks
/// never ran (never checked, or outside the inventory) is <c>unknown</c> on every check, never a pass,
/// so templates quote no fact nobody checked.
/// </summary>
public sealed class RequestPosture(PostureQueries queries)
{
    public const string NotChecked = "not checked yet: run the posture checks (Refresh on the asset page) and draft again";

    /// <param name="incident">The incident whose asset group is asked about.</param>
    /// <param name="values">The group's IPs and domains among the incident's values (at most 100).</param>
    /// <param name="ct">Cancels the look-up.</param>
    public async Task<PostureFacts> ForAsync(Incident incident, IReadOnlyList<string> values, CancellationToken ct)
    {
        var stored = await queries.ForAssetAsync(incident.AssetId, incident.GroupValue, ct);
        if (stored.Count > 0)
        {
            return new PostureFacts([.. stored.Select(f => new PostureCheck(f.Value, f.Name, f.Status, f.Detail))]);
        }

        return new PostureFacts(
        [
            .. values.SelectMany(v => (System.Net.IPAddress.TryParse(v, out _) ? PostureFacts.IpNames : PostureFacts.Names.Except(PostureFacts.IpNames))
                .Select(name => new PostureCheck(v, name, PostureFacts.Unknown, NotChecked))),
        ]);
    }
}

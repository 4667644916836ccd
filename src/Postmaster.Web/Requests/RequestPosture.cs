using Postmaster.Core.Requests;
using Postmaster.Web.Incidents;

namespace Postmaster.Web.Requests;

/// <summary>
/// The posture of an incident's asset group, as drafts quote it (templates read <c>posture</c>).
/// The posture checks (PTR, FCrDNS, HELO, SPF, DMARC, DKIM, MX, MTA-STS) live in their own
/// feature; it registers its implementation of this in place of <see cref="UnknownRequestPosture"/>.
/// </summary>
public interface IRequestPosture
{
    /// <param name="incident">The incident whose asset group is asked about.</param>
    /// <param name="values">The group's IPs and domains among the incident's values (at most 100).</param>
    /// <param name="ct">Cancels the look-up.</param>
    Task<PostureFacts> ForAsync(Incident incident, IReadOnlyList<string> values, CancellationToken ct);
}

/// <summary>
/// Until posture checks are wired in: every check of every value is <c>unknown</c> ("nothing
/// unknown is ever shown as a pass"), so templates quote no posture facts.
/// </summary>
public sealed class UnknownRequestPosture : IRequestPosture
{
    public const string Detail = "not checked: posture checks are not available in this installation yet";

    public Task<PostureFacts> ForAsync(Incident incident, IReadOnlyList<string> values, CancellationToken ct) =>
        Task.FromResult(new PostureFacts(
        [
            .. values.SelectMany(v => (System.Net.IPAddress.TryParse(v, out _) ? PostureFacts.IpNames : PostureFacts.Names.Except(PostureFacts.IpNames))
                .Select(name => new PostureCheck(v, name, PostureFacts.Unknown, Detail))),
        ]));
}

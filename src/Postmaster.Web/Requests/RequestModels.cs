using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Mail;
using Postmaster.Web.Organisation;

namespace Postmaster.Web.Requests;

/// <summary>
/// Builds what a template reads from what is stored: the incident with its first 100 values and
/// newest rejections, the organisation profile, the posture, the sender, the time, and what the
/// person says was fixed. Text from outside goes in as values, never as template source.
/// </summary>
public sealed class RequestModels(
    PostmasterDbContext db,
    ProviderRegistry providers,
    OrganisationProfiles profiles,
    RequestPosture posture,
    IOptions<RequestOptions> options,
    IOptions<SmtpOptions> smtp,
    IConfiguration configuration,
    TimeProvider time)
{
    public async Task<RequestModel> ForAsync(Incident incident, string? fixedText, CancellationToken ct)
    {
        var facts = await IncidentAsync(incident, ct);
        var pack = providers.Find(incident.Provider)?.Remediation;
        return new RequestModel(
            facts,
            await profiles.FactsAsync(ct),
            await posture.ForAsync(incident, [.. facts.Ips.Concat(facts.Domains)], ct),
            Sender(),
            time.GetUtcNow(),
            (fixedText ?? "").Trim(),
            pack is null ? RemediationFacts.None : new RemediationFacts(pack.Channel, pack.Url ?? "", pack.Email ?? "", pack.Notes ?? ""));
    }

    /// <summary>The sender of requests: <c>Postmaster:Requests:From</c>, else <c>Postmaster:Smtp:From</c>; replies to <c>:ReplyTo</c>, else the sender.</summary>
    public SenderFacts Sender()
    {
        var from = FirstSet(options.Value.From, smtp.Value.From);
        return new SenderFacts(from, FirstSet(options.Value.ReplyTo, from));
    }

    /// <summary>The incident as templates see it (no profile, no posture): enough to pick templates.</summary>
    public async Task<RequestIncident> IncidentAsync(Incident incident, CancellationToken ct)
    {
        var values = await db.IncidentValues.AsNoTracking()
            .Where(v => v.IncidentId == incident.Id)
            .OrderByDescending(v => v.Active).ThenBy(v => v.Id)
            .Take(RequestIncident.MaxValues)
            .ToListAsync(ct);
        var samples = await db.IncidentSamples.AsNoTracking()
            .Where(s => s.IncidentId == incident.Id)
            .OrderByDescending(s => s.Id)
            .Take(IncidentSample.PerIncident)
            .ToListAsync(ct);
        var texts = samples.Select(s => s.Response).Concat(values.Where(v => v.Basis == IncidentBasis.Rejection).Select(v => v.Reason)).ToList();
        return new RequestIncident(
            incident.Id,
            IncidentUrl(incident.Id),
            incident.Provider,
            providers.NameOf(incident.Provider),
            incident.GroupLabel is { Length: > 0 } label ? $"{label} ({incident.GroupValue})" : incident.GroupValue,
            incident.InInventory,
            incident.State.ToApi(),
            incident.Severity.ToApi(),
            incident.OpenedAt,
            incident.LastActivityAt,
            incident.AffectedCount,
            [.. incident.CitedByList()],
            [.. values.Select(v => Value(v, samples))],
            [.. samples.Take(RequestIncident.MaxSamples).Select(s => new RequestSample(s.At, s.SourceIp, null, s.Mx, s.Response))],
            RejectionFacts.ReplyAddress(texts),
            RejectionFacts.Reference(texts));
    }

    /// <summary>An address people can open: absolute under <c>Postmaster:PublicUrl</c>, else relative.</summary>
    public string IncidentUrl(long id) => $"{PublicUrl()}/incidents/{id}";

    public string RequestUrl(long id) => $"{PublicUrl()}/requests/{id}";

    private string PublicUrl() => (configuration["Postmaster:PublicUrl"] ?? "").Trim().TrimEnd('/');

    private static RequestValue Value(IncidentValue v, IReadOnlyList<IncidentSample> samples)
    {
        var kind = IPAddress.TryParse(v.Value, out _) ? RequestValue.Ip : RequestValue.Domain;
        if (v.Basis == IncidentBasis.Listing)
        {
            return new RequestValue(v.Value, kind, v.Source, null, Split(v.Codes), Split(v.Categories), v.Reason, v.FirstSeen, v.LastSeen);
        }

        // A refused source IP: its codes are what the receiver's replies carried (S3150, 5.7.606, NOWL).
        var codes = samples.Where(s => s.SourceIp == v.Value && s.Receiver == v.Source)
            .SelectMany(s => RejectionFacts.Codes(s.Response, s.EnhancedCode))
            .Concat(RejectionFacts.Codes(v.Reason))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new RequestValue(v.Value, kind, null, v.Source, codes, Split(v.Categories), null, v.FirstSeen, v.LastSeen);
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() ?? "";
}

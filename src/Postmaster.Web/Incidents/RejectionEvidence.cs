using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Incidents;

/// <summary>
/// Applies episode events: a receiver or gateway starting or stopping to refuse a source IP. A
/// rejection that cites a blocklist belongs to that list's operator (the fix is at the list), with
/// the receiver noted in <see cref="Incident.CitedBy"/>. Severity settles once per batch.
/// </summary>
public sealed class RejectionEvidence(PostmasterDbContext db, AssetGroups groups, IncidentProviders providers)
{
    public const int BatchSize = 500;

    /// <summary>How many of the newest rejections an opening episode copies into its incident.</summary>
    public const int SamplesPerEpisode = 5;

    internal async Task<int> ApplyAsync(IncidentWork work, CancellationToken ct)
    {
        var events = await db.EpisodeEvents.AsNoTracking()
            .Where(e => e.ProcessedAt == null)
            .OrderBy(e => e.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }

        var ids = events.Select(e => e.Id).ToList();
        var claimed = await db.EpisodeEvents
            .Where(e => ids.Contains(e.Id) && e.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, work.Now), ct);
        if (claimed != ids.Count)
        {
            throw new DbUpdateConcurrencyException($"Episode events claimed elsewhere ({claimed} of {ids.Count}); trying again.");
        }

        var episodeIds = events.Select(e => e.EpisodeId).Distinct().ToList();
        var episodes = await db.BlockEpisodes.AsNoTracking().Where(e => episodeIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        var groupOf = await groups.ResolveAsync(events.Select(e => e.SourceIp).Distinct().ToList(), ct);
        await work.LoadAsync(events.Select(e => (ProviderOf(e), groupOf[e.SourceIp].Key)), ct);
        var values = new IncidentValues(db, work);
        await values.LoadAsync(events.Select(e => e.SourceIp), ct);

        foreach (var e in events.Where(e => e.Provider.Length > 0))
        {
            var provider = ProviderOf(e);
            var group = groupOf[e.SourceIp];
            var kind = SignalNames.ParseKind(e.Kind) ?? SignalKind.Other;
            var fold = new TimelineFold(e.Provider, e.Backfilled ? "backfill" : $"batch {ids[0]}", false, Rejections: true, Backfilled: e.Backfilled);
            episodes.TryGetValue(e.EpisodeId, out var episode);
            if (e.Change == EpisodeChange.Opened)
            {
                var evidence = new RejectionsSeen(e.At, e.SourceIp, e.Provider, kind, e.Blocklist);
                var incident = await work.DecideAsync(provider, group, evidence, await providers.WeightAsync(provider, ct), fold, e.Backfilled, ct);
                if (incident is null)
                {
                    continue;
                }

                if (e.Blocklist is not null)
                {
                    incident.AddCitedBy(e.Provider);
                }

                var value = values.Upsert(incident, e.SourceIp, e.Provider, IncidentBasis.Rejection, e.At);
                (value.Active, value.ClearedAt, value.Categories) = (true, null, e.Kind);
                value.LastSeen = episode?.LastSeenAt ?? e.At;
                value.Reason = ColumnText.Fit(episode?.SampleResponse ?? value.Reason, 1000);
                await CopySamplesAsync(incident, e, episode, ct);
                continue;
            }

            if (work.Active(provider, group.Key) is not { } open || values.Find(open.Id, e.SourceIp, e.Provider) is not { Active: true } ended)
            {
                continue;
            }

            var (otherOpen, otherLastSeen) = await OtherEpisodesAsync(e, ct);
            ended.LastSeen = Later(Later(ended.LastSeen, episode?.LastSeenAt ?? ended.LastSeen), otherLastSeen ?? ended.LastSeen);
            if (otherOpen)
            {
                continue; // another kind of refusal by this receiver goes on (a block after a rate limit): still refused
            }

            (ended.Active, ended.ClearedAt) = (false, e.At);
            await db.SaveChangesAsync(ct); // the questions below read the rows
            if (await StillRefusedAsync(open, ct))
            {
                await work.TimelineAsync(open, "rejections-ended", $"{e.Provider}: rejections stopped for {e.SourceIp}.", e.At, fold, ct);
                continue;
            }

            await work.ApplyAsync(open, IncidentRules.Decide(open.Facts(), new RejectionsEnded(e.At, e.SourceIp), work.Policy), e.At, ct);
            if (await AcceptedSinceAsync(open, ct) is { } accepted)
            {
                await work.ApplyAsync(open, IncidentRules.Decide(open.Facts(), new DeliveriesAccepted(accepted, e.SourceIp), work.Policy), accepted, ct);
            }
        }

        await db.SaveChangesAsync(ct);
        await SettleAsync(work, ct);
        return events.Count;
    }

    /// <summary>
    /// Incidents whose rejections ended resolve once the provider accepts mail from every refused
    /// source IP again (a delivery later than the last rejection). Run after each ingest batch.
    /// </summary>
    internal async Task<int> AcceptedAgainAsync(IncidentWork work, CancellationToken ct)
    {
        var waiting = await db.Incidents
            .Where(i => i.ActiveMarker == 1 && i.HasRejections && i.RejectionsEnded && !i.AcceptedSinceEnd)
            .OrderBy(i => i.Id)
            .Take(1000)
            .ToListAsync(ct);
        var applied = 0;
        foreach (var incident in waiting)
        {
            if (await AcceptedSinceAsync(incident, ct) is not { } accepted)
            {
                continue;
            }

            var decision = IncidentRules.Decide(incident.Facts(), new DeliveriesAccepted(accepted, incident.GroupValue), work.Policy);
            await work.ApplyAsync(incident, decision, accepted, ct);
            applied++;
        }

        return applied;
    }

    /// <summary>Severity from the provider's weight and the share of the group refused, once per batch.</summary>
    private async Task SettleAsync(IncidentWork work, CancellationToken ct)
    {
        foreach (var incident in work.Touched.Where(i => i.ActiveMarker == 1 && i.HasRejections && !i.HasListings))
        {
            var affected = await db.IncidentValues.Where(v => v.IncidentId == incident.Id && v.Active).Select(v => v.Value).Distinct().CountAsync(ct);
            var decision = IncidentRules.Settle(incident.Facts(), SeverityRule.Assess(incident.Weight, affected, incident.GroupSize));
            await work.ApplyAsync(incident, decision, work.Now, ct);
        }
    }

    /// <summary>
    /// The receiver's other episodes against the source IP that belong to the same provider (other kinds
    /// of refusal: episodes are per kind, the affected value is per receiver), open or ended with this
    /// one: whether one still refuses, and the last rejection among them, which mail must come after.
    /// </summary>
    private async Task<(bool Open, DateTimeOffset? LastSeen)> OtherEpisodesAsync(EpisodeEvent e, CancellationToken ct)
    {
        var cited = e.Blocklist is { Length: > 0 } zone ? zone : null;
        var others = await db.BlockEpisodes.AsNoTracking()
            .Where(o => o.Id != e.EpisodeId && o.Provider == e.Provider && o.SourceIp == e.SourceIp
                && (cited == null ? o.Blocklist == null || o.Blocklist == "" : o.Blocklist == cited)
                && (o.OpenMarker == 1 || o.EndedAt >= e.At))
            .Select(o => new { Open = o.OpenMarker == 1, o.LastSeenAt })
            .ToListAsync(ct);
        return (others.Any(o => o.Open), others.Count == 0 ? null : others.Max(o => o.LastSeenAt));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private Task<bool> StillRefusedAsync(Incident incident, CancellationToken ct) =>
        db.IncidentValues.AnyAsync(v => v.IncidentId == incident.Id && v.Basis == IncidentBasis.Rejection && v.Active, ct);

    /// <summary>
    /// The time mail from every refused source IP was accepted again by its receiver (the latest of
    /// them), or null while one of them has not delivered since its last rejection.
    /// </summary>
    private async Task<DateTimeOffset?> AcceptedSinceAsync(Incident incident, CancellationToken ct)
    {
        var refused = await db.IncidentValues
            .Where(v => v.IncidentId == incident.Id && v.Basis == IncidentBasis.Rejection)
            .Select(v => new { v.Value, v.Source, v.LastSeen })
            .ToListAsync(ct);

        // One read for every refused (receiver, IP) pair, not one per value.
        var receivers = refused.Select(v => v.Source).Distinct().ToList();
        var ips = refused.Select(v => v.Value).Distinct().ToList();
        var lastDelivered = await db.ProviderActivity.AsNoTracking()
            .Where(a => receivers.Contains(a.Provider) && ips.Contains(a.SourceIp))
            .ToDictionaryAsync(a => (a.Provider, a.SourceIp), a => a.LastDelivered, ct);
        DateTimeOffset? latest = null;
        foreach (var value in refused)
        {
            var delivered = lastDelivered.GetValueOrDefault((value.Source, value.Value));
            if (delivered is not { } at || at <= value.LastSeen)
            {
                return null;
            }

            latest = latest is null || at > latest ? at : latest;
        }

        return latest;
    }

    private async Task CopySamplesAsync(Incident incident, EpisodeEvent e, BlockEpisode? episode, CancellationToken ct)
    {
        var samples = await db.SignalSamples.AsNoTracking()
            .Where(s => s.Provider == e.Provider && s.SourceIp == e.SourceIp && s.Kind == e.Kind)
            .OrderByDescending(s => s.Id)
            .Take(SamplesPerEpisode)
            .ToListAsync(ct);
        foreach (var s in samples)
        {
            db.IncidentSamples.Add(new IncidentSample
            {
                IncidentId = incident.Id,
                At = s.At,
                Receiver = e.Provider,
                SourceIp = s.SourceIp,
                Mx = ColumnText.Fit(s.Mx, 255),
                Kind = e.Kind,
                SmtpCode = s.SmtpCode,
                EnhancedCode = s.EnhancedCode,
                Response = ColumnText.Fit(s.Response, 1000) ?? "",
            });
        }

        if (samples.Count == 0 && episode?.SampleResponse is { } response)
        {
            db.IncidentSamples.Add(new IncidentSample
            {
                IncidentId = incident.Id,
                At = episode.LastSeenAt,
                Receiver = e.Provider,
                SourceIp = e.SourceIp,
                Kind = e.Kind,
                Response = ColumnText.Fit(response, 1000)!,
            });
        }

        await db.SaveChangesAsync(ct);

        // Bounded per incident: the newest stay.
        var keep = db.IncidentSamples.Where(s => s.IncidentId == incident.Id).OrderByDescending(s => s.Id).Take(IncidentSample.PerIncident).Select(s => s.Id);
        await db.IncidentSamples.Where(s => s.IncidentId == incident.Id && !keep.Contains(s.Id)).ExecuteDeleteAsync(ct);
    }

    private static string ProviderOf(EpisodeEvent e) => e.Blocklist is { Length: > 0 } cited ? cited : e.Provider;
}

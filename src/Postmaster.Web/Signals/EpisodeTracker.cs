using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

/// <summary>
/// Decides when rejections amount to a block (an episode) for a provider and source IP, and when it
/// is over. The thresholds are per kind (Postmaster:Signals:Episodes); user-unknown and other never block.
/// </summary>
public sealed class EpisodeTracker(PostmasterDbContext db, IOptions<SignalOptions> options, TimeProvider time, ILogger<EpisodeTracker> log)
{
    public async Task UpdateAsync(SignalBatch batch, CancellationToken ct)
    {
        var rules = options.Value.Episodes;
        var opened = new List<(BlockEpisode Episode, RejectionTally Tally)>();
        foreach (var ((provider, ip, kind), tally) in batch.Rejections)
        {
            if (provider.Length == 0 || !rules.TryGetValue(kind, out var rule) || tally.Last is not { } last)
            {
                continue;
            }

            var open = await db.BlockEpisodes.FirstOrDefaultAsync(e => e.Provider == provider && e.SourceIp == ip && e.Kind == kind && e.OpenMarker == 1, ct);
            if (open is not null)
            {
                Fold(open, tally, last);
                continue;
            }

            var since = last.AddMinutes(-rule.WindowMinutes);
            var hourFloor = new DateTimeOffset(since.UtcDateTime.Year, since.UtcDateTime.Month, since.UtcDateTime.Day, since.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
            var recent = await db.SignalBuckets
                .Where(b => b.Provider == provider && b.SourceIp == ip && b.Kind == kind && b.Hour >= hourFloor && b.Status != Core.Signals.DeliveryStatus.Delivered)
                .SumAsync(b => b.Count, ct);
            if (recent < rule.Threshold)
            {
                continue;
            }

            var episode = new BlockEpisode
            {
                Provider = provider,
                SourceIp = ip,
                Kind = kind,
                State = EpisodeState.Open,
                OpenMarker = 1,
                StartedAt = last,
                LastSeenAt = last,
                Rejections = recent,
                Blocklist = tally.Blocklist,
                MatchedRule = tally.Rule,
                SampleResponse = Bounded(tally.Response),
            };
            db.BlockEpisodes.Add(episode);
            db.EpisodeEvents.Add(Event(episode, EpisodeChange.Opened, last));
            opened.Add((episode, tally));
            log.LogWarning("Block episode opened: {Provider} refuses {SourceIp} ({Kind}, {Count} in {Window} min)", provider, ip.Length == 0 ? "(unknown source)" : ip, kind, recent, rule.WindowMinutes);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException) when (attempt < 3 && opened.Count > 0)
            {
                // Another ingest opened one of these episodes first (one open episode per provider,
                // IP and kind, enforced by a unique index): its row stands, and this batch's
                // rejections join it. Every other change of the batch is kept and saved again.
                await FoldIntoWinnersAsync(opened, ct);
            }
        }
    }

    private async Task FoldIntoWinnersAsync(List<(BlockEpisode Episode, RejectionTally Tally)> opened, CancellationToken ct)
    {
        foreach (var (episode, tally) in opened.ToList())
        {
            var winner = await db.BlockEpisodes.FirstOrDefaultAsync(
                e => e.Provider == episode.Provider && e.SourceIp == episode.SourceIp && e.Kind == episode.Kind && e.OpenMarker == 1 && e.Id != episode.Id, ct);
            if (winner is null)
            {
                continue; // not this one's conflict: it is inserted with the retry
            }

            // The winner wrote its own "opened" event: this one never happened.
            foreach (var lost in db.ChangeTracker.Entries<EpisodeEvent>().Where(e => e.State == EntityState.Added && e.Entity.Episode == episode).ToList())
            {
                lost.State = EntityState.Detached;
            }

            db.Entry(episode).State = EntityState.Detached;
            opened.Remove((episode, tally));
            Fold(winner, tally, tally.Last ?? winner.LastSeenAt);
        }
    }

    private static void Fold(BlockEpisode open, RejectionTally tally, DateTimeOffset last)
    {
        open.Rejections += tally.Count;
        if (last > open.LastSeenAt)
        {
            (open.LastSeenAt, open.SampleResponse, open.MatchedRule) = (last, Bounded(tally.Response), tally.Rule ?? open.MatchedRule);
        }
    }

    /// <summary>Ends episodes whose kind of rejection has stopped for the rule's quiet time.</summary>
    public async Task<int> EndQuietEpisodesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ended = 0;
        foreach (var episode in await db.BlockEpisodes.Where(e => e.OpenMarker == 1).ToListAsync(ct))
        {
            var quiet = options.Value.Episodes.TryGetValue(episode.Kind, out var rule) ? rule.QuietMinutes : 240;
            if (now - episode.LastSeenAt < TimeSpan.FromMinutes(quiet))
            {
                continue;
            }

            episode.State = EpisodeState.Ended;
            episode.OpenMarker = null;
            episode.EndedAt = now;
            db.EpisodeEvents.Add(Event(episode, EpisodeChange.Ended, now));
            ended++;
            log.LogInformation("Block episode {EpisodeId} ended: no {Kind} rejections from {Provider} for {Minutes} min", episode.Id, episode.Kind, episode.Provider, quiet);
        }

        await db.SaveChangesAsync(ct);
        return ended;
    }

    private static EpisodeEvent Event(BlockEpisode episode, EpisodeChange change, DateTimeOffset at) => new()
    {
        Episode = episode,
        Change = change,
        Provider = episode.Provider,
        SourceIp = episode.SourceIp,
        Kind = episode.Kind,
        Blocklist = episode.Blocklist,
        At = at,
    };

    private static string? Bounded(string? text) => text is { Length: > 1000 } ? text[..1000] : text;
}

using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals;

/// <summary>
/// Outcomes aggregated in memory before they are written: counts per bucket, a few samples per
/// (provider, kind), and the latest activity per (provider, source IP). Its size depends on how many
/// distinct providers and IPs there are, not on how many lines were read.
/// </summary>
public sealed class SignalBatch(int samplesPerKey)
{
    public readonly record struct BucketKey(DateTimeOffset Hour, string Provider, string Kind, DeliveryStatus Status, string SourceIp);

    public Dictionary<BucketKey, long> Buckets { get; } = [];

    public Dictionary<(string Provider, string Kind), List<SignalSample>> Samples { get; } = [];

    public Dictionary<(string Provider, string SourceIp), ProviderActivity> Activity { get; } = [];

    /// <summary>Refusals per (provider, source IP, kind), for block episodes.</summary>
    public Dictionary<(string Provider, string SourceIp, string Kind), RejectionTally> Rejections { get; } = [];

    public long Count { get; private set; }

    public void Add(DeliveryOutcome outcome, Classification classification, DateTimeOffset now, string origin)
    {
        Count++;
        var at = outcome.Time ?? now;
        var provider = classification.Provider ?? "";
        var kind = outcome.Status == DeliveryStatus.Delivered ? "" : classification.Kind?.ToApi() ?? "other";
        var ip = outcome.SourceIp ?? "";
        var key = new BucketKey(new DateTimeOffset(at.UtcDateTime.Year, at.UtcDateTime.Month, at.UtcDateTime.Day, at.UtcDateTime.Hour, 0, 0, TimeSpan.Zero), provider, kind, outcome.Status, ip);
        Buckets[key] = Buckets.GetValueOrDefault(key) + 1;

        if (provider.Length > 0)
        {
            if (!Activity.TryGetValue((provider, ip), out var activity))
            {
                activity = new ProviderActivity { Provider = provider, SourceIp = ip };
                Activity[(provider, ip)] = activity;
            }

            if (outcome.Status == DeliveryStatus.Delivered)
            {
                activity.Delivered++;
                activity.LastDelivered = Max(activity.LastDelivered, at);
            }
            else
            {
                activity.LastRejected = Max(activity.LastRejected, at);
            }
        }

        if (outcome.Status != DeliveryStatus.Delivered)
        {
            var tally = Rejections.GetValueOrDefault((provider, ip, kind)) ?? new RejectionTally();
            tally.Count++;
            if (tally.Last is null || at >= tally.Last)
            {
                (tally.Last, tally.Response, tally.Rule, tally.Blocklist) = (at, outcome.Response, classification.MatchedRule, classification.Blocklist);
            }

            Rejections[(provider, ip, kind)] = tally;
            if (!Samples.TryGetValue((provider, kind), out var samples))
            {
                samples = [];
                Samples[(provider, kind)] = samples;
            }

            if (samples.Count >= samplesPerKey)
            {
                samples.RemoveAt(0); // keep the newest
            }

            samples.Add(new SignalSample
            {
                At = at,
                Provider = provider,
                Kind = kind,
                Status = outcome.Status,
                SourceIp = outcome.SourceIp,
                RecipientDomain = outcome.RecipientDomain,
                Mx = outcome.Mx,
                SmtpCode = outcome.SmtpCode,
                EnhancedCode = outcome.EnhancedCode,
                Response = outcome.Response,
                Blocklist = classification.Blocklist,
                MatchedRule = classification.MatchedRule,
                Origin = origin.Length > 32 ? origin[..32] : origin,
            });
        }
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}

public sealed class RejectionTally
{
    public long Count { get; set; }

    public DateTimeOffset? Last { get; set; }

    public string? Response { get; set; }

    public string? Rule { get; set; }

    public string? Blocklist { get; set; }
}

using System.Text.RegularExpressions;
using Postmaster.Core.Assets;
using Postmaster.Core.Incidents;
using Postmaster.Web.Assets;
using Postmaster.Web.Incidents;

namespace Postmaster.Bench.Incidents;

/// <summary>One generated incident with its affected values and sample rejections; its timeline is written from it later.</summary>
internal sealed class IncidentStory
{
    public required Incident Incident { get; init; }

    public required BenchProvider Provider { get; init; }

    public required bool Listing { get; init; }

    public required List<IncidentValue> Values { get; init; }

    public required List<IncidentSample> Samples { get; init; }

    public int TimelineLines { get; set; }
}

/// <summary>
/// A year of incidents as a busy sender would have them: mostly resolved within days, about 7 %
/// still active (open, requested, awaiting a reply), some closed as wont-fix; the big receivers and
/// lists most often; groups from the inventory (a few addresses get blocked again and again) and
/// about one in ten rejection incidents about a source outside it. Severity from the app's own
/// <see cref="SeverityRule"/>, group keys from <see cref="AssetGroup"/>. Deterministic for a seed.
/// </summary>
internal sealed partial class IncidentStories(
    IReadOnlyList<BenchProvider> providers, IReadOnlyList<Asset> assets, IReadOnlyList<string> assignees, DateTimeOffset now, int seed)
{
    private readonly Random _rng = new(seed);
    private readonly HashSet<(string Provider, string Group)> _active = [];
    private readonly Asset[] _ips = [.. assets.Where(a => a.Kind == AssetKind.Ip)];
    private readonly Asset[] _ranges = [.. assets.Where(a => a.Kind == AssetKind.Range)];
    private readonly Asset[] _domains = [.. assets.Where(a => a.Kind == AssetKind.Domain)];
    private readonly string[] _outside = [.. BenchInventory.OutsideNetworks
        .SelectMany(n => new AssetValue(AssetKind.Range, n).Addresses().Skip(1).Take(250))
        .Select(a => a.ToString())];
    private readonly double _totalShare = providers.Sum(p => p.Share);

    public List<IncidentStory> Generate(int count)
    {
        var stories = new List<IncidentStory>(count);
        for (var i = 0; i < count; i++)
        {
            stories.Add(Next());
        }

        // Ids in the order incidents were opened, as the app would have given them.
        stories.Sort((a, b) => a.Incident.OpenedAt.CompareTo(b.Incident.OpenedAt));
        for (var i = 0; i < stories.Count; i++)
        {
            var incident = stories[i].Incident;
            incident.Id = i + 1;
            foreach (var value in stories[i].Values)
            {
                value.IncidentId = incident.Id;
            }

            foreach (var sample in stories[i].Samples)
            {
                sample.IncidentId = incident.Id;
            }
        }

        return stories;
    }

    /// <summary>
    /// Shares <paramref name="total"/> timeline lines out: every incident has its opening line and
    /// its latest (what closed it, its state, or the last sweep), the rest go heavy-tailed, more to incidents that lasted longer:
    /// a months-long listing gathers a line per sweep, most incidents a handful.
    /// </summary>
    public void ShareTimeline(List<IncidentStory> stories, long total)
    {
        long fixedLines = 0;
        var weights = new double[stories.Count];
        for (var i = 0; i < stories.Count; i++)
        {
            var incident = stories[i].Incident;
            stories[i].TimelineLines = 2;
            fixedLines += stories[i].TimelineLines;
            var days = (incident.LastActivityAt - incident.OpenedAt).TotalDays;
            weights[i] = Math.Min(Math.Pow(1 - _rng.NextDouble(), -1 / 1.4), 200) * (1 + Math.Min(days, 120) / 7);
        }

        var rest = total - fixedLines;
        if (rest < 0)
        {
            throw new InvalidOperationException($"{total:N0} timeline lines are fewer than the {fixedLines:N0} the incidents need at least.");
        }

        var sum = weights.Sum();
        long given = 0;
        for (var i = 0; i < stories.Count; i++)
        {
            var extra = (int)Math.Floor(rest * weights[i] / sum);
            stories[i].TimelineLines += extra;
            given += extra;
        }

        for (var left = rest - given; left > 0; left--)
        {
            stories[_rng.Next(stories.Count)].TimelineLines++;
        }
    }

    private IncidentStory Next()
    {
        var provider = PickProvider();
        var (state, closed) = PickState();
        var listing = provider.IsOperator;
        AssetGroup group;
        BenchList[] lists;
        var domains = false;
        var tries = 0;
        while (true)
        {
            if (listing)
            {
                domains = provider.DomainLists.Count > 0 && (provider.IpLists.Count == 0 || _rng.NextDouble() < 0.25);
                group = domains ? AssetGroups.Of(Skewed(_domains)) : AssetGroups.Of(_rng.NextDouble() < 0.65 ? Skewed(_ips) : Skewed(_ranges));
                var pool = domains ? provider.DomainLists : provider.IpLists;
                lists = _rng.NextDouble() < 0.2 && pool.Count > 1 ? [.. pool.OrderBy(_ => _rng.Next()).Take(2)] : [pool[_rng.Next(pool.Count)]];
            }
            else
            {
                var u = _rng.NextDouble();
                group = u < 0.55 ? AssetGroups.Of(Skewed(_ips))
                    : u < 0.85 ? AssetGroups.Of(Skewed(_ranges))
                    : u < 0.995 ? AssetGroup.Outside(_outside[_rng.Next(_outside.Length)])
                    : AssetGroup.Outside("");
                lists = [];
            }

            // One active incident per provider and group (the database's unique marker): pick again.
            if (closed || _active.Add((provider.Slug, group.Key)))
            {
                break;
            }

            if (++tries > 10_000)
            {
                throw new InvalidOperationException($"No group left for another active {provider.Slug} incident: too few assets for this many incidents.");
            }
        }

        var (opened, last) = PickTimes(state);
        var incident = new Incident
        {
            Provider = provider.Slug,
            GroupKey = group.Key,
            AssetId = group.AssetId,
            GroupValue = group.Value,
            GroupLabel = group.Label,
            InInventory = group.InInventory,
            GroupSize = group.Size,
            Weight = provider.Weight,
            OpenedAt = opened,
            ClosedAt = closed ? last : null,
            LastActivityAt = last,
            HasListings = listing,
            HasRejections = !listing,
            CleanChecks = listing && state == IncidentState.Resolved ? 2 : 0,
            RejectionsEnded = !listing && closed,
            AcceptedSinceEnd = !listing && state == IncidentState.Resolved,
        };

        var values = listing ? ListingValues(incident, group, lists, domains, closed) : RejectionValues(incident, group, provider, closed);
        var severity = SeverityRule.Assess(provider.Weight, values.Select(v => v.Value).Distinct().Count(), group.Size);
        var pinned = _rng.NextDouble() < 0.03;
        incident.Apply(incident.Facts() with
        {
            State = state,
            Severity = pinned ? (IncidentSeverity)_rng.Next(4) : severity,
            SeverityPinned = pinned,
        });
        incident.AffectedCount = values.Count;
        incident.Assignee = _rng.NextDouble() < (closed ? 0.4 : 0.65) ? Skewed(assignees) : null;

        var samples = new List<IncidentSample>();
        if (!listing)
        {
            AddSamples(samples, incident, provider, values, 1 + _rng.Next(5), null);
        }
        else if (!domains && _rng.NextDouble() < 0.1)
        {
            // A receiver's rejection named this list: the operator's incident, noting who cited it.
            var citing = providers.Where(p => !p.IsOperator && p.Rejections.Any(r => r.Kind == "blocklist")).ToList();
            foreach (var receiver in citing.OrderBy(_ => _rng.Next()).Take(_rng.NextDouble() < 0.8 ? 1 : 2))
            {
                incident.AddCitedBy(receiver.Slug);
                AddSamples(samples, incident, receiver, values, 1 + _rng.Next(3), provider.Slug);
            }
        }

        return new IncidentStory { Incident = incident, Provider = provider, Listing = listing, Values = values, Samples = samples };
    }

    private List<IncidentValue> ListingValues(Incident incident, AssetGroup group, BenchList[] lists, bool domains, bool closed)
    {
        var addresses = Addresses(group, domains ? 1 : group.Size <= 1 ? 1 : AffectedOfRange(group.Size));
        var values = new List<IncidentValue>();
        foreach (var list in lists)
        {
            var (code, category) = list.Codes[_rng.Next(list.Codes.Count)];
            foreach (var address in addresses)
            {
                values.Add(Value(incident, address, list.Zone, IncidentBasis.Listing, closed, list.Id, code, category,
                    $"Listed on {list.Zone} ({category}): see the operator's lookup page for {address}."));
            }
        }

        return values;
    }

    private List<IncidentValue> RejectionValues(Incident incident, AssetGroup group, BenchProvider receiver, bool closed)
    {
        var addresses = Addresses(group, group.Size <= 1 ? 1 : 1 + _rng.Next(4));
        var rejection = receiver.Rejections[_rng.Next(receiver.Rejections.Count)];
        return [.. addresses.Select(a => Value(incident, a, receiver.Slug, IncidentBasis.Rejection, closed, null, "", rejection.Kind, rejection.Response))];
    }

    private IncidentValue Value(Incident incident, string value, string source, IncidentBasis basis, bool closed, long? listId, string codes, string categories, string reason)
    {
        var first = incident.OpenedAt + TimeSpan.FromSeconds(Upto((incident.LastActivityAt - incident.OpenedAt).TotalSeconds * 0.2));
        var active = !closed && _rng.NextDouble() < 0.8;
        return new IncidentValue
        {
            Value = value,
            Source = source,
            Basis = basis,
            Active = active,
            BlocklistId = listId,
            Codes = codes,
            Categories = categories,
            Reason = Fit(reason, 1000),
            FirstSeen = first,
            LastSeen = active ? incident.LastActivityAt : first + TimeSpan.FromSeconds(Upto((incident.LastActivityAt - first).TotalSeconds)),
            ClearedAt = active ? null : incident.LastActivityAt,
        };
    }

    private void AddSamples(List<IncidentSample> samples, Incident incident, BenchProvider receiver, List<IncidentValue> values, int count, string? citing)
    {
        var pool = receiver.Rejections.Where(r => citing is null || r.Kind == "blocklist").ToList();
        var named = pool.Where(r => r.Blocklist == citing).ToList();
        for (var i = 0; i < count && samples.Count < IncidentSample.PerIncident; i++)
        {
            var rejection = named.Count > 0 ? named[_rng.Next(named.Count)] : pool[_rng.Next(pool.Count)];
            var reply = ReplyCodes().Match(rejection.Response);
            samples.Add(new IncidentSample
            {
                At = incident.OpenedAt + TimeSpan.FromSeconds(Upto((incident.LastActivityAt - incident.OpenedAt).TotalSeconds)),
                Receiver = receiver.Slug,
                SourceIp = values.Count > 0 && values[0].Value.Contains('.', StringComparison.Ordinal) && char.IsAsciiDigit(values[0].Value[0])
                    ? values[_rng.Next(values.Count)].Value
                    : null,
                Mx = receiver.Mx,
                Kind = rejection.Kind,
                SmtpCode = reply.Success ? int.Parse(reply.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture) : 550,
                EnhancedCode = reply.Groups["enhanced"] is { Success: true } e ? e.Value : null,
                Response = Fit(rejection.Response, 1000),
            });
        }
    }

    /// <summary>How many addresses of a range are blocked: mostly a few, sometimes a good part of it.</summary>
    private long AffectedOfRange(long size)
    {
        var u = _rng.NextDouble();
        var n = u < 0.7 ? 1 + _rng.Next(3) : u < 0.95 ? 4 + _rng.Next(29) : 33 + _rng.Next(96);
        return Math.Min(n, size);
    }

    private List<string> Addresses(AssetGroup group, long count)
    {
        if (!group.InInventory || group.Size <= 1 || !group.Value.Contains('/', StringComparison.Ordinal))
        {
            return [group.Value];
        }

        var range = new AssetValue(AssetKind.Range, group.Value);
        var offsets = new SortedSet<long>();
        while (offsets.Count < count)
        {
            offsets.Add(_rng.NextInt64(group.Size));
        }

        return [.. offsets.Select(o => range.Addresses(o, 1).Single().ToString())];
    }

    private BenchProvider PickProvider()
    {
        var u = _rng.NextDouble() * _totalShare;
        foreach (var provider in providers)
        {
            u -= provider.Share;
            if (u <= 0)
            {
                return provider;
            }
        }

        return providers[^1];
    }

    /// <summary>About 7 % active (half of them still open), 5 % wont-fix, the rest resolved.</summary>
    private (IncidentState State, bool Closed) PickState()
    {
        var u = _rng.NextDouble();
        var state = u < 0.035 ? IncidentState.Open
            : u < 0.05 ? IncidentState.Requested
            : u < 0.07 ? IncidentState.AwaitingReply
            : u < 0.12 ? IncidentState.WontFix
            : IncidentState.Resolved;
        return (state, !state.IsActive());
    }

    /// <summary>
    /// Closed incidents: closed any time in the last year, after hours to months. Active ones: opened
    /// in the last months, touched in the last days (every sweep or rejection batch touches them).
    /// </summary>
    private (DateTimeOffset Opened, DateTimeOffset Last) PickTimes(IncidentState state)
    {
        const double Day = 86400;
        if (!state.IsActive())
        {
            var closedAt = now - TimeSpan.FromSeconds(Upto(365 * Day));
            var u = _rng.NextDouble();
            var lasted = u < 0.6 ? 3600 + Upto(2 * Day) : u < 0.9 ? (2 * Day) + Upto(18 * Day) : (20 * Day) + Upto(100 * Day);
            return (closedAt - TimeSpan.FromSeconds(lasted), closedAt);
        }

        var v = _rng.NextDouble();
        var age = 600 + (v < 0.5 ? Upto(7 * Day) : v < 0.85 ? (7 * Day) + Upto(38 * Day) : (45 * Day) + Upto(155 * Day));
        var quiet = Upto(Math.Min(age, (state == IncidentState.Open ? 3 : 10) * Day));
        return (now - TimeSpan.FromSeconds(age), now - TimeSpan.FromSeconds(quiet));
    }

    /// <summary>Whole seconds from 0 to <paramref name="max"/>.</summary>
    private double Upto(double max) => Math.Round(max * _rng.NextDouble());

    /// <summary>A skewed pick: early items far more often (a few addresses are blocked again and again).</summary>
    private T Skewed<T>(IReadOnlyList<T> items) => items[(int)(items.Count * Math.Pow(_rng.NextDouble(), 2.2))];

    private static string Fit(string text, int max) => text.Length <= max ? text : text[..max];

    [GeneratedRegex(@"^\s*(?<code>[245]\d\d)[ -](?:(?<enhanced>[245]\.\d{1,3}\.\d{1,3})\b)?")]
    private static partial Regex ReplyCodes();
}

using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>
/// How the timeline lines of one kind of change fold: per list or receiver, per run or batch.
/// <paramref name="Backfilled"/>: what was already active at the upgrade, which the folded line must still say.
/// </summary>
public sealed record TimelineFold(string Source, string Batch, bool Domains, bool Rejections = false, bool Backfilled = false);

/// <summary>
/// What one engine transaction works on: the incidents of the evidence's providers and groups, the
/// rules' decisions applied to them, their timeline lines folded. Everything is saved and committed
/// together with the events marked processed, or not at all.
/// </summary>
internal sealed class IncidentWork(PostmasterDbContext db, IncidentPolicy policy, DateTimeOffset now)
{
    private readonly Dictionary<(string Provider, string GroupKey), Incident> _latest = [];
    private readonly Dictionary<(long IncidentId, string MergeKey), IncidentTimelineEntry> _folds = [];
    private readonly HashSet<long> _created = [];

    public DateTimeOffset Now => now;

    public IncidentPolicy Policy => policy;

    public HashSet<Incident> Touched { get; } = [];

    /// <summary>The alerts these decisions raise, in order, with what happened; none for backfilled evidence.</summary>
    public List<(Incident Incident, string Kind, string Detail)> Alerts { get; } = [];

    /// <summary>Loads the newest incident of each (provider, group): the one evidence joins, reopens or replaces.</summary>
    public async Task LoadAsync(IEnumerable<(string Provider, string GroupKey)> keys, CancellationToken ct)
    {
        foreach (var byProvider in keys.Where(k => !_latest.ContainsKey(k)).Distinct().GroupBy(k => k.Provider))
        {
            foreach (var chunk in byProvider.Select(k => k.GroupKey).Chunk(500))
            {
                var groupKeys = chunk.ToList();
                var rows = await db.Incidents
                    .Where(i => i.Provider == byProvider.Key && groupKeys.Contains(i.GroupKey))
                    .OrderBy(i => i.Id)
                    .ToListAsync(ct);
                foreach (var row in rows)
                {
                    _latest[(row.Provider, row.GroupKey)] = row; // ascending: the newest stays
                }
            }
        }
    }

    public Incident? Latest(string provider, string groupKey) => _latest.GetValueOrDefault((provider, groupKey));

    public Incident? Active(string provider, string groupKey) => Latest(provider, groupKey) is { ActiveMarker: 1 } active ? active : null;

    public IEnumerable<Incident> Loaded => _latest.Values;

    public bool Created(Incident incident) => _created.Contains(incident.Id);

    /// <summary>
    /// Asks the rules about one piece of evidence for (provider, group) and applies the answer.
    /// Returns the incident the evidence belongs to now (null when it belongs to none).
    /// </summary>
    public async Task<Incident?> DecideAsync(
        string provider, AssetGroup group, IncidentEvidence evidence, ProviderWeight weight, TimelineFold fold, bool quiet, CancellationToken ct)
    {
        var latest = Latest(provider, group.Key);
        var opening = SeverityRule.Assess(weight, 1, group.Size);
        var decision = IncidentRules.Decide(latest?.Facts(), evidence, policy, opening);
        switch (decision.Action)
        {
            case IncidentAction.Ignore:
                return latest is { ActiveMarker: 1 } ? latest : null;
            case IncidentAction.Open:
                latest = await OpenAsync(provider, group, weight, decision.Next!, evidence.At, ct);
                break;
            default:
                Take(latest!, decision, evidence.At);
                latest!.Weight = (ProviderWeight)Math.Max((int)latest.Weight, (int)weight);
                break;
        }

        Touch(latest, evidence.At);
        if (decision.TimelineKind is { } kind)
        {
            var detail = quiet && decision.Action == IncidentAction.Open
                ? $"{decision.Detail} {IncidentTimelineText.AlreadyActive}"
                : decision.Detail ?? "";
            await TimelineAsync(latest, kind, detail, evidence.At, fold, ct);
        }

        Audited(latest, decision);
        if (!quiet && decision.AlertKind is { } alert)
        {
            Alerts.Add((latest, alert, decision.Detail ?? ""));
        }

        return latest;
    }

    /// <summary>Applies a decision about an incident already in hand (a sweep's end, severity, mail accepted).</summary>
    public async Task ApplyAsync(Incident incident, IncidentDecision decision, DateTimeOffset at, CancellationToken ct)
    {
        if (decision.Action == IncidentAction.Ignore)
        {
            return;
        }

        Take(incident, decision, at);
        if (decision.TimelineKind is not { } kind)
        {
            return; // a fact kept quietly (a streak counted on): no activity a person would see
        }

        Touch(incident, at);
        await TimelineAsync(incident, kind, decision.Detail ?? "", at, null, ct);

        Audited(incident, decision);
        if (decision.AlertKind is { } alert)
        {
            Alerts.Add((incident, alert, decision.Detail ?? ""));
        }
    }

    /// <summary>Writes a timeline line, folding it into the line of the same change, list and batch if there is one.</summary>
    public async Task TimelineAsync(Incident incident, string kind, string detail, DateTimeOffset at, TimelineFold? fold, CancellationToken ct)
    {
        var mergeKey = fold is null ? null : MergeKey(kind, fold);
        if (mergeKey is not null)
        {
            if (!_folds.TryGetValue((incident.Id, mergeKey), out var line) && !Created(incident))
            {
                line = await db.IncidentTimeline
                    .Where(t => t.IncidentId == incident.Id && t.MergeKey == mergeKey)
                    .OrderByDescending(t => t.Id)
                    .FirstOrDefaultAsync(ct);
            }

            if (line is not null)
            {
                line.Count++;
                line.Detail = ColumnText.Fit(IncidentTimelineText.Folded(line.Kind, line.Count, fold!), IncidentTimelineEntry.MaxDetailLength)!;
                _folds[(incident.Id, mergeKey)] = line;
                return;
            }
        }

        var entry = new IncidentTimelineEntry
        {
            IncidentId = incident.Id,
            At = at,
            Kind = kind,
            Actor = AuditTrail.System,
            Detail = ColumnText.Fit(detail, IncidentTimelineEntry.MaxDetailLength)!,
            MergeKey = mergeKey,
        };
        db.IncidentTimeline.Add(entry);
        if (mergeKey is not null)
        {
            _folds[(incident.Id, mergeKey)] = entry;
        }
    }

    private async Task<Incident> OpenAsync(string provider, AssetGroup group, ProviderWeight weight, IncidentFacts facts, DateTimeOffset at, CancellationToken ct)
    {
        var incident = new Incident
        {
            Provider = provider,
            GroupKey = group.Key,
            AssetId = group.AssetId,
            GroupValue = ColumnText.Fit(group.Value, 300)!,
            GroupLabel = ColumnText.Fit(group.Label, 100),
            InInventory = group.InInventory,
            GroupSize = group.Size,
            Weight = weight,
            LastActivityAt = at,
        };
        incident.Apply(facts);
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct); // its id, for its values and timeline
        _latest[(provider, group.Key)] = incident;
        _created.Add(incident.Id);
        return incident;
    }

    /// <summary>Takes the rules' facts (a resolution brings its closing time: the reopen window counts from it).</summary>
    private static void Take(Incident incident, IncidentDecision decision, DateTimeOffset at)
    {
        incident.Apply(decision.Next!);
        if (decision.Action == IncidentAction.Resolve && incident.ClosedAt is null)
        {
            incident.ClosedAt = at; // evidence without a time of its own: the moment it was applied
        }
    }

    private void Touch(Incident incident, DateTimeOffset at)
    {
        Touched.Add(incident);
        if (at > incident.LastActivityAt)
        {
            incident.LastActivityAt = at;
        }
    }

    private void Audited(Incident incident, IncidentDecision decision)
    {
        var action = decision.Action switch
        {
            IncidentAction.Open => AuditActions.IncidentOpened,
            IncidentAction.Reopen => AuditActions.IncidentReopened,
            IncidentAction.Resolve => AuditActions.IncidentResolved,
            _ => null,
        };
        if (action is null)
        {
            return;
        }

        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            Actor = AuditTrail.System,
            Action = action,
            Target = $"incident {incident.Id}",
            Detail = ColumnText.Fit($"{incident.Provider} / {incident.GroupValue}: {decision.Detail}", AuditEntry.MaxDetailLength),
        });
    }

    /// <summary>Opening, re-listing and listing fold together: "Opened: 65,536 addresses listed on zen.spamhaus.org."</summary>
    private static string? MergeKey(string kind, TimelineFold fold)
    {
        var family = kind switch
        {
            "opened" or "reopened" or "listed" or "rejections" => "seen",
            "delisted" or "codes-changed" or "rejections-ended" or "evidence" => kind,
            _ => null,
        };
        return family is null ? null : ColumnText.Fit($"{family}|{fold.Source}|{fold.Batch}", 200);
    }
}

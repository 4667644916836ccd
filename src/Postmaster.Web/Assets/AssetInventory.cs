using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Assets;

/// <summary>Adds, lists and removes inventory entries; shared by the API and the pages.</summary>
public sealed class AssetInventory(PostmasterDbContext db, AuditTrail audit, Incidents.IncidentEngine incidents, TimeProvider time, ILogger<AssetInventory> log)
{
    public const int MaxBulkLines = 5000;

    public async Task<AssetAddResult> AddAsync(AssetInput input, CancellationToken cancellationToken)
    {
        var parsed = Validate(input);
        if (parsed.Asset is not { } value)
        {
            return AssetAddResult.Bad(parsed.Error!);
        }

        var existing = await db.Assets.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Kind == value.Kind && a.Value == value.Value, cancellationToken);
        if (existing is not null)
        {
            return AssetAddResult.Duplicate(existing);
        }

        var asset = Create(value, input);
        db.Assets.Add(asset);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another request adding the same value.
            db.ChangeTracker.Clear();
            var winner = await db.Assets.AsNoTracking()
                .FirstOrDefaultAsync(a => a.Kind == value.Kind && a.Value == value.Value, cancellationToken);
            if (winner is null)
            {
                throw;
            }

            return AssetAddResult.Duplicate(winner);
        }

        log.LogInformation("Added asset {AssetId} {Kind} {Value}", asset.Id, asset.Kind, asset.Value);
        await audit.RecordAsync(AuditActions.AssetAdded, asset.Value, asset.Label, cancellationToken);
        return AssetAddResult.Ok(asset);
    }

    /// <summary>
    /// Adds every good line of a paste: one value per line, optionally followed by a label
    /// (after a comma, tab or space). Blank lines and lines starting with # are skipped.
    /// </summary>
    public async Task<IReadOnlyList<BulkLineResult>> AddManyAsync(
        string text, string? kind, string? pool, CancellationToken cancellationToken)
    {
        var results = new List<BulkLineResult>();
        var pending = new List<(int Line, string Input, AssetValue Value, AssetInput Source)>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (pending.Count + results.Count >= MaxBulkLines)
            {
                results.Add(new BulkLineResult(lineNumber, Shorten(line), "invalid",
                    $"Not read: a paste takes at most {MaxBulkLines:N0} lines; add the rest in another paste.", null));
                continue;
            }

            var split = line.IndexOfAny([',', '\t', ' ', ';']);
            var valueText = split < 0 ? line : line[..split];
            var label = split < 0 ? null : line[(split + 1)..].Trim().Trim(',', ';').Trim();
            var input = new AssetInput(valueText, kind, string.IsNullOrEmpty(label) ? null : label, pool);
            var parsed = Validate(input);
            if (parsed.Asset is not { } value)
            {
                results.Add(new BulkLineResult(lineNumber, Shorten(line), "invalid", parsed.Error!, null));
                continue;
            }

            if (pending.Any(p => p.Value == value))
            {
                results.Add(new BulkLineResult(lineNumber, Shorten(line), "duplicate", $"{value.Value} appears earlier in this paste.", null));
                continue;
            }

            pending.Add((lineNumber, line, value, input));
        }

        var existing = await FindExistingAsync(pending.Select(p => p.Value).ToList(), cancellationToken);
        var added = new List<(int Line, string Input, Asset Asset)>();
        foreach (var item in pending)
        {
            if (existing.TryGetValue(item.Value, out var id))
            {
                results.Add(new BulkLineResult(item.Line, Shorten(item.Input), "duplicate", $"{item.Value.Value} is already in the inventory.", id));
                continue;
            }

            var asset = Create(item.Value, item.Source);
            db.Assets.Add(asset);
            added.Add((item.Line, item.Input, asset));
        }

        await db.SaveChangesAsync(cancellationToken);
        results.AddRange(added.Select(a => new BulkLineResult(a.Line, Shorten(a.Input), "added", $"Added as {AssetKindNames.ToApi(a.Asset.Kind)}.", a.Asset.Id)));
        log.LogInformation("Bulk paste: {Added} added, {Other} not added", added.Count, results.Count - added.Count);
        await audit.RecordAsync(AuditActions.AssetsAdded, $"{added.Count} assets", string.Join(", ", added.Select(a => a.Asset.Value)), cancellationToken);
        return results.OrderBy(r => r.Line).ToList();
    }

    /// <summary>The key assets are listed by: kind, then value (unique together).</summary>
    public sealed record PageKey(AssetKind Kind, string Value) : IPageKey
    {
        public static string Scope => "assets";
    }

    public Task<Page<Asset>> ListAsync(AssetKind? kind, string? pool, PageRequest<PageKey> page, CancellationToken cancellationToken) =>
        PageAsync(Filter(kind, pool), page, cancellationToken);

    /// <summary>One page of <paramref name="query"/> in inventory order (the listings matrix filters its own way).</summary>
    public static async Task<Page<Asset>> PageAsync(IQueryable<Asset> query, PageRequest<PageKey> page, CancellationToken cancellationToken)
    {
        if (page.After is { } after)
        {
            // Kind compares as stored (its name), as ORDER BY sorts it.
            query = query.Where(a => a.Kind > after.Kind || (a.Kind == after.Kind && a.Value.CompareTo(after.Value) > 0));
        }

        var rows = await query.OrderBy(a => a.Kind).ThenBy(a => a.Value).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Cut(rows, page.Limit, a => new PageKey(a.Kind, a.Value));
    }

    public Task<int> CountAsync(AssetKind? kind, string? pool, CancellationToken cancellationToken) =>
        Filter(kind, pool).CountAsync(cancellationToken);

    private IQueryable<Asset> Filter(AssetKind? kind, string? pool)
    {
        var query = db.Assets.AsNoTracking();
        if (kind is { } k)
        {
            query = query.Where(a => a.Kind == k);
        }

        if (!string.IsNullOrWhiteSpace(pool))
        {
            query = query.Where(a => a.Pool == pool);
        }

        return query;
    }

    public Task<Asset?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.Assets.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        var value = await db.Assets.Where(a => a.Id == id).Select(a => a.Value).FirstOrDefaultAsync(cancellationToken);
        var removed = await db.Assets.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
        {
            log.LogInformation("Removed asset {AssetId}", id);
            await audit.RecordAsync(AuditActions.AssetRemoved, value, $"asset {id}", cancellationToken);
            await incidents.CloseForRemovedAssetAsync(id, value ?? $"asset {id}", audit.CurrentActor(), cancellationToken);
        }

        return removed > 0;
    }

    private async Task<Dictionary<AssetValue, long>> FindExistingAsync(List<AssetValue> values, CancellationToken cancellationToken)
    {
        var found = new Dictionary<AssetValue, long>();
        foreach (var chunk in values.Chunk(500))
        {
            var texts = chunk.Select(v => v.Value).ToList();
            var rows = await db.Assets.AsNoTracking()
                .Where(a => texts.Contains(a.Value))
                .Select(a => new { a.Id, a.Kind, a.Value })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                found[new AssetValue(row.Kind, row.Value)] = row.Id;
            }
        }

        return found;
    }

    private Asset Create(AssetValue value, AssetInput input) => new()
    {
        Kind = value.Kind,
        Value = value.Value,
        Label = Clean(input.Label),
        Pool = Clean(input.Pool),
        Owner = Clean(input.Owner),
        AddressCount = value.AddressCount,
        CreatedAt = time.GetUtcNow(),
    };

    /// <summary>The canonical value, or why the input (value, kind, label, pool or owner) was refused.</summary>
    private static AssetParseResult Validate(AssetInput input)
    {
        if (!AssetKindNames.TryParse(input.Kind, out var kind))
        {
            return AssetParseResult.Fail($"Unknown kind '{Shorten(input.Kind!)}': use ip, range, domain or helo (or leave it out to infer it).");
        }

        var parsed = AssetValue.Parse(input.Value, kind);
        if (!parsed.Succeeded)
        {
            return parsed;
        }

        var textError = CheckText(input.Label, "label", Asset.MaxLabelLength)
            ?? CheckText(input.Pool, "pool", Asset.MaxLabelLength)
            ?? CheckText(input.Owner, "owner", Asset.MaxOwnerLength);
        return textError is null ? parsed : AssetParseResult.Fail(textError);
    }

    private static string? CheckText(string? text, string name, int max)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length > max)
        {
            return $"The {name} is {text.Length} characters long; at most {max} are kept.";
        }

        return text.Any(char.IsControl) ? $"The {name} contains control characters." : null;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}

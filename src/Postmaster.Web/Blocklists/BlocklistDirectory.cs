using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Blocklists;

/// <summary>The installation's catalog as people and the API change it.</summary>
public sealed class BlocklistDirectory(PostmasterDbContext db, BlocklistCatalog catalog, AuditTrail audit, TimeProvider time, ILogger<BlocklistDirectory> log)
{
    public sealed record Outcome(Blocklist? List, string? Invalid = null, Blocklist? Conflict = null);

    public async Task<IReadOnlyList<(Blocklist List, long UsedToday)>> ListAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var lists = await db.Blocklists.AsNoTracking().OrderBy(b => b.Name).ToListAsync(ct);
        var usage = await db.BlocklistUsage.AsNoTracking().Where(u => u.Day == today).ToDictionaryAsync(u => u.BlocklistId, u => u.Queries, ct);
        return lists.Select(l => (l, usage.GetValueOrDefault(l.Id))).ToList();
    }

    /// <summary>The catalog is paged by name, then id (names need not be unique).</summary>
    public sealed record PageKey(string Name, long Id) : IPageKey
    {
        public static string Scope => "blocklists";
    }

    public async Task<Page<(Blocklist List, long UsedToday)>> ListAsync(PageRequest<PageKey> page, CancellationToken ct)
    {
        var query = db.Blocklists.AsNoTracking();
        if (page.After is { } after)
        {
            query = query.Where(b => b.Name.CompareTo(after.Name) > 0 || (b.Name == after.Name && b.Id > after.Id));
        }

        var lists = await query.OrderBy(b => b.Name).ThenBy(b => b.Id).Take(page.Limit + 1).ToListAsync(ct);
        var ids = lists.Select(l => l.Id).ToList();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var usage = await db.BlocklistUsage.AsNoTracking().Where(u => u.Day == today && ids.Contains(u.BlocklistId)).ToDictionaryAsync(u => u.BlocklistId, u => u.Queries, ct);
        return Paging.Cut(lists.Select(l => (l, usage.GetValueOrDefault(l.Id))).ToList(), page.Limit, l => new PageKey(l.Item1.Name, l.Item1.Id));
    }

    public Task<Blocklist?> FindAsync(long id, CancellationToken ct) => db.Blocklists.FirstOrDefaultAsync(b => b.Id == id, ct);

    /// <summary>Adds a custom list; dead zones are refused with the reason they are dead.</summary>
    public async Task<Outcome> AddAsync(CatalogEntry entry, CancellationToken ct)
    {
        BlocklistDefinition definition;
        try
        {
            definition = BlocklistDefinitionReader.Read(entry, "The list");
        }
        catch (CatalogException e)
        {
            return new Outcome(null, e.Message);
        }

        if (catalog.FindDead(definition.Zone) is { } dead)
        {
            return new Outcome(null, $"{definition.Zone} is a dead zone and would give false answers: {dead.Reason}");
        }

        var clash = await db.Blocklists.AsNoTracking().FirstOrDefaultAsync(b => b.Zone == definition.Zone || b.Slug == definition.Slug, ct);
        if (clash is not null)
        {
            return new Outcome(null, Conflict: clash);
        }

        var now = time.GetUtcNow();
        var row = new Blocklist
        {
            Slug = definition.Slug,
            Name = definition.Name,
            Zone = definition.Zone,
            DefinitionJson = "",
            Enabled = true,
            Custom = true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        row.SetDefinition(definition);
        db.Blocklists.Add(row);
        await db.SaveChangesAsync(ct);
        log.LogInformation("Custom blocklist {Slug} added for zone {Zone}", row.Slug, row.Zone);
        await audit.RecordAsync(AuditActions.BlocklistAdded, row.Zone, null, ct);
        return new Outcome(row);
    }

    /// <summary>Applies a partial change; changing facts marks the list as edited so catalog upgrades keep the edit.</summary>
    public async Task<Outcome> UpdateAsync(long id, BlocklistPatch patch, CancellationToken ct)
    {
        var row = await db.Blocklists.FirstOrDefaultAsync(b => b.Id == id, ct);
        if (row is null)
        {
            return new Outcome(null);
        }

        if (patch.Enabled is { } enabled)
        {
            row.Enabled = enabled;
        }

        if (patch.Key is not null)
        {
            row.AccessKey = string.IsNullOrWhiteSpace(patch.Key) ? null : patch.Key.Trim();
            row.Health = ListHealthState.Unchecked;
        }

        if (patch.MaxQueriesPerSecond is { } rate)
        {
            if (rate < 0)
            {
                return new Outcome(null, "maxQueriesPerSecond may not be negative; 0 removes the limit.");
            }

            row.MaxQueriesPerSecond = rate == 0 ? null : rate;
        }

        if (patch.ChangesFacts)
        {
            var entry = BlocklistDefinitionReader.Write(row.Definition());
            entry.Name = patch.Name ?? entry.Name;
            entry.Codes = patch.Codes ?? entry.Codes;
            entry.ErrorCodes = patch.ErrorCodes ?? entry.ErrorCodes;
            entry.DelistUrl = patch.DelistUrl ?? entry.DelistUrl;
            entry.UndocumentedCodes = patch.UndocumentedCodes ?? entry.UndocumentedCodes;
            entry.Ipv6 = patch.Ipv6 ?? entry.Ipv6;
            try
            {
                row.SetDefinition(BlocklistDefinitionReader.Read(entry, "The list"));
            }
            catch (CatalogException e)
            {
                return new Outcome(null, e.Message);
            }

            row.UserEdited = true;
        }

        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.For(patch), row.Zone, AuditActions.Describe(patch), ct);
        return new Outcome(row);
    }
}

/// <summary>A partial change to a list; null fields stay as they are.</summary>
public sealed record BlocklistPatch(
    bool? Enabled = null,
    string? Key = null,
    int? MaxQueriesPerSecond = null,
    string? Name = null,
    Dictionary<string, CatalogCode>? Codes = null,
    Dictionary<string, string>? ErrorCodes = null,
    string? DelistUrl = null,
    string? UndocumentedCodes = null,
    bool? Ipv6 = null)
{
    public bool ChangesFacts => Name is not null || Codes is not null || ErrorCodes is not null || DelistUrl is not null || UndocumentedCodes is not null || Ipv6 is not null;
}

using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Brings the shipped catalog into the database at start-up: new lists are added, lists nobody edited
/// get the newer facts, and edited or custom lists are left as their users made them.
/// </summary>
public static class CatalogSeeder
{
    public static async Task SeedBlocklistCatalogAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var catalog = provider.GetRequiredService<BlocklistCatalog>();
        var db = provider.GetRequiredService<PostmasterDbContext>();
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        var log = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CatalogSeeder));

        var existing = await db.Blocklists.ToListAsync(cancellationToken);
        int added = 0, upgraded = 0;
        foreach (var definition in catalog.Lists)
        {
            var row = existing.FirstOrDefault(b => b.Slug == definition.Slug);
            if (row is null)
            {
                if (existing.Any(b => b.Zone == definition.Zone))
                {
                    log.LogWarning("Catalog list {Slug} not added: a custom list already uses zone {Zone}", definition.Slug, definition.Zone);
                    continue;
                }

                row = new Blocklist
                {
                    Slug = definition.Slug,
                    Name = definition.Name,
                    Zone = definition.Zone,
                    DefinitionJson = "",
                    Enabled = definition.EnabledByDefault,
                    CatalogVersion = catalog.Version,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                row.SetDefinition(definition);
                db.Blocklists.Add(row);
                added++;
            }
            else if (!row.Custom && !row.UserEdited && row.CatalogVersion < catalog.Version)
            {
                row.SetDefinition(definition);
                row.CatalogVersion = catalog.Version;
                row.UpdatedAt = now;
                upgraded++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        if (added + upgraded > 0)
        {
            log.LogInformation("Blocklist catalog v{Version}: {Added} lists added, {Upgraded} upgraded", catalog.Version, added, upgraded);
        }
    }
}

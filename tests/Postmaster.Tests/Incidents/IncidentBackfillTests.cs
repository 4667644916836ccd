using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Assets;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Upgrading to a version with incidents: what is active at that moment (listings, open episodes)
/// becomes incidents, marked as already active and raising no alert; the history before it (old
/// listing and episode events) is not replayed into incidents nobody needs.
/// </summary>
public sealed class IncidentBackfillTests(PostgresCluster cluster)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_upgrade_turns_active_listings_and_open_episodes_into_incidents_without_replaying_history()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-backfill-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={Path.Combine(dir, "postmaster.db")}").Options;
            await using (var db = new SqliteDbContext(options))
            {
                await SeedBeforeIncidentsAsync(db, "20261206182637_EpisodeEvents", at => new DateTimeOffsetToBinaryConverter().ConvertToProvider(at)!);
            }

            await using var app = PostmasterApp.Sqlite(dir);
            await AssertBackfilledAsync(app);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_upgrade_turns_active_listings_and_open_episodes_into_incidents_without_replaying_history()
    {
        Requirement.Require(cluster.UnavailableReason);
        var database = await cluster.CreateDatabaseAsync("backfill");
        await using (var db = new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(database).Options))
        {
            await SeedBeforeIncidentsAsync(db, "20261206182654_EpisodeEvents", at => at);
        }

        await using var app = PostmasterApp.Postgres(database);
        await AssertBackfilledAsync(app);
    }

    /// <summary>
    /// The database as the version before incidents left it: two of the range's addresses listed on
    /// ZEN for days, old.example listed on DBL and delisted since, Microsoft refusing the IP now and
    /// Google having refused it yesterday; every event of that history still unprocessed.
    /// </summary>
    private static async Task SeedBeforeIncidentsAsync(PostmasterDbContext db, string beforeIncidents, Func<DateTimeOffset, object> stored)
    {
        await db.GetService<IMigrator>().MigrateAsync(beforeIncidents, Ct);

        // These tables are the same before and after the upgrade, so the current model can write them;
        // the event tables gain columns, so their rows go in as the old schema had them.
        var catalog = BlocklistCatalog.Load(RepoPaths.Catalog);
        var lists = catalog.Lists.Where(l => l.Slug is "spamhaus-zen" or "spamhaus-dbl").Select(definition =>
        {
            var row = new Blocklist { Slug = definition.Slug, Name = "", Zone = "", DefinitionJson = "", Enabled = true, CatalogVersion = catalog.Version, CreatedAt = T0, UpdatedAt = T0 };
            row.SetDefinition(definition);
            return row;
        }).ToDictionary(b => b.Slug);
        var range = new Asset { Kind = AssetKind.Range, Value = "203.0.113.0/28", AddressCount = 16, CreatedAt = T0.AddDays(-30) };
        var ip = new Asset { Kind = AssetKind.Ip, Value = "198.51.100.20", AddressCount = 1, CreatedAt = T0.AddDays(-30) };
        var domain = new Asset { Kind = AssetKind.Domain, Value = "old.example", CreatedAt = T0.AddDays(-30) };
        db.AddRange(lists.Values);
        db.AddRange(range, ip, domain);
        await db.SaveChangesAsync(Ct);

        var active = Listing(range, lists["spamhaus-zen"], "203.0.113.5", T0.AddDays(-3), delistedAt: null);
        var alsoActive = Listing(range, lists["spamhaus-zen"], "203.0.113.9", T0.AddDays(-2), delistedAt: null);
        var inactive = Listing(domain, lists["spamhaus-dbl"], "old.example", T0.AddDays(-20), delistedAt: T0.AddDays(-10));
        var refusing = Episode("microsoft", ip.Value, T0.AddHours(-2), endedAt: null);
        var refusedYesterday = Episode("google", ip.Value, T0.AddDays(-2), endedAt: T0.AddDays(-1));
        db.AddRange(active, alsoActive, inactive, refusing, refusedYesterday);
        await db.SaveChangesAsync(Ct);

        foreach (var (listing, kind, at) in new[]
                 {
                     (active, "Listed", T0.AddDays(-3)),
                     (alsoActive, "Listed", T0.AddDays(-2)),
                     (inactive, "Listed", T0.AddDays(-20)),
                     (inactive, "Delisted", T0.AddDays(-10)),
                 })
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "ListingEvents" ("ListingId", "AssetId", "BlocklistId", "Value", "Kind", "Codes", "RunId", "At", "ProcessedAt")
                VALUES ({listing.Id}, {listing.AssetId}, {listing.BlocklistId}, {listing.Value}, {kind}, {listing.Codes}, NULL, {stored(at)}, NULL)
                """,
                Ct);
        }

        foreach (var (episode, change, at) in new[]
                 {
                     (refusing, "Opened", refusing.StartedAt),
                     (refusedYesterday, "Opened", refusedYesterday.StartedAt),
                     (refusedYesterday, "Ended", refusedYesterday.EndedAt!.Value),
                 })
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "EpisodeEvents" ("EpisodeId", "Change", "Provider", "SourceIp", "Kind", "Blocklist", "At", "ProcessedAt")
                VALUES ({episode.Id}, {change}, {episode.Provider}, {episode.SourceIp}, {episode.Kind}, NULL, {stored(at)}, NULL)
                """,
                Ct);
        }
    }

    private static async Task AssertBackfilledAsync(PostmasterApp app)
    {
        var after = await IncidentSnapshot.TakeAsync(app);

        Assert.Equal(["microsoft 198.51.100.20", "spamhaus 203.0.113.0/28"], after.Names());
        Assert.All(after.Incidents, i => Assert.Equal(IncidentState.Open, i.State));
        var range = after.Of("spamhaus", "203.0.113.0/28");
        Assert.Equal((T0.AddDays(-3), 2L), (range.OpenedAt, range.AffectedCount));
        Assert.Equal(T0.AddHours(-2), after.Of("microsoft", "198.51.100.20").OpenedAt);
        Assert.All(after.Incidents, i =>
        {
            var line = Assert.Single(after.TimelineOf(i));
            Assert.Equal("opened", line.Kind);
            Assert.EndsWith("Already active when incident tracking was introduced (no alert).", line.Detail, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(app.Logs, l => l.Contains("incident-opened", StringComparison.Ordinal));
    }

    private static Listing Listing(Asset asset, Blocklist list, string value, DateTimeOffset firstSeen, DateTimeOffset? delistedAt) => new()
    {
        AssetId = asset.Id,
        BlocklistId = list.Id,
        Value = value,
        Active = delistedAt is null,
        Codes = list.Slug == "spamhaus-zen" ? "127.0.0.2" : "127.0.1.2",
        Categories = list.Slug == "spamhaus-zen" ? "sbl" : "spam",
        FirstSeen = firstSeen,
        LastSeen = delistedAt ?? T0,
        LastChecked = T0,
        DelistedAt = delistedAt,
    };

    private static BlockEpisode Episode(string provider, string ip, DateTimeOffset startedAt, DateTimeOffset? endedAt) => new()
    {
        Provider = provider,
        SourceIp = ip,
        Kind = "ip-reputation",
        State = endedAt is null ? EpisodeState.Open : EpisodeState.Ended,
        OpenMarker = endedAt is null ? 1 : null,
        StartedAt = startedAt,
        LastSeenAt = endedAt?.AddHours(-4) ?? T0.AddMinutes(-5),
        EndedAt = endedAt,
        Rejections = 12,
    };
}

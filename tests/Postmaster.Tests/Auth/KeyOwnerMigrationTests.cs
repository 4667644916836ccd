using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Auth;

/// <summary>Keys made before keys had owners belong, after the upgrade, to the person who made them.</summary>
public sealed class KeyOwnerMigrationTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Sqlite_upgrade_gives_each_key_its_creator_as_owner()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-keyowners-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={Path.Combine(dir, "upgrade.db")}").Options;
            await using var db = new SqliteDbContext(options);
            await AssertUpgradeAsync(db, "20261123191626_Signals", createdAt: 0L);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_upgrade_gives_each_key_its_creator_as_owner()
    {
        Requirement.Require(cluster.UnavailableReason);
        var options = new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(await cluster.CreateDatabaseAsync("keyowners")).Options;
        await using var db = new PostgresDbContext(options);
        await AssertUpgradeAsync(db, "20261123191654_Signals", createdAt: DateTimeOffset.UnixEpoch);
    }

    private static async Task AssertUpgradeAsync(PostmasterDbContext db, string beforeOwners, object createdAt)
    {
        var ct = TestContext.Current.CancellationToken;
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(beforeOwners, ct);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "CreatedAt",
                "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES ('alice-id', 'alice@postmaster.test', 'ALICE@POSTMASTER.TEST', 'alice@postmaster.test', 'ALICE@POSTMASTER.TEST', {createdAt},
                {true}, {false}, {false}, {true}, {0})
            """,
            ct);
        foreach (var (name, createdBy) in new[] { ("alices", "Alice@Postmaster.test"), ("bootstrap", "Postmaster:Bootstrap:ApiKey") })
        {
            await db.Database.ExecuteSqlAsync(
                $"""INSERT INTO "ApiKeys" ("Name", "Prefix", "Hash", "Role", "CreatedAt", "CreatedBy") VALUES ({name}, 'pm_x', {name + "-hash"}, 'Admin', {createdAt}, {createdBy})""",
                ct);
        }

        await migrator.MigrateAsync(cancellationToken: ct);

        var owners = await db.ApiKeys.AsNoTracking().ToDictionaryAsync(k => k.Name, k => k.OwnerId, ct);
        Assert.Equal("alice-id", owners["alices"]);
        Assert.Null(owners["bootstrap"]); // the bootstrap admin adopts it at start-up (FirstRun)
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Ops;

/// <summary>Start on an empty database, stop, start again on the same one: migrations are idempotent and data stays.</summary>
public sealed class RestartTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Sqlite_restart_keeps_the_inventory()
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-restart-").FullName;
        try
        {
            await AssertRestartKeepsDataAsync(() => PostmasterApp.Sqlite(dir));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_restart_keeps_the_inventory()
    {
        var connectionString = await cluster.CreateDatabaseAsync("restart");

        await AssertRestartKeepsDataAsync(() => PostmasterApp.Postgres(connectionString));
    }

    private static async Task AssertRestartKeepsDataAsync(Func<PostmasterApp> start)
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var first = start())
        {
            using var api = first.Api();
            var created = await api.PostAsJsonAsync("/api/assets", new { value = "203.0.113.200", label = "survives" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var second = start();
        using var again = second.Api();
        var list = await ApiPages.AllAsync(again, "/api/assets", ct: ct);

        var asset = Assert.Single(list);
        Assert.Equal("survives", asset.GetProperty("label").GetString());

        // The bootstrap admin was created once, not again on the second start.
        Assert.DoesNotContain(second.Logs, l => l.Contains("Created bootstrap admin", StringComparison.Ordinal));
    }
}

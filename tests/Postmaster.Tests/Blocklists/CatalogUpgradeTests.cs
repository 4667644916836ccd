using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists;

/// <summary>A newer catalog reaches an existing installation without overwriting what its users changed.</summary>
public sealed class CatalogUpgradeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("postmaster-upgrade-").FullName;
    private readonly string _templates = Directory.CreateTempSubdirectory("postmaster-templates-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_templates, recursive: true);
        return ValueTask.CompletedTask;
    }

    private void WriteCatalog(Action<JsonObject> change)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(RepoPaths.Catalog))!.AsObject();
        change(catalog);
        Directory.CreateDirectory(Path.Combine(_templates, "blocklists"));
        CopyProviders();
        File.WriteAllText(Path.Combine(_templates, "blocklists", "catalog.json"), catalog.ToJsonString());
    }

    // The app needs the provider packs beside the catalog; they are not what this test changes.
    private void CopyProviders()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Templates, "providers"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_templates, Path.GetRelativePath(RepoPaths.Templates, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static JsonObject Entry(JsonObject catalog, string slug) =>
        catalog["lists"]!.AsArray().Single(l => l!["slug"]!.GetValue<string>() == slug)!.AsObject();

    private PostmasterApp Start() =>
        PostmasterApp.Sqlite(_data, settings: new Dictionary<string, string?> { ["Postmaster:TemplatesDirectory"] = _templates });

    [Fact]
    public async Task An_upgrade_updates_untouched_lists_adds_new_ones_and_keeps_user_edits()
    {
        var ct = TestContext.Current.CancellationToken;
        WriteCatalog(c => c["version"] = 100);
        await using (var first = Start())
        {
            using var api = first.Api();
            var lists = await ApiPages.AllAsync(api, "/api/blocklists", ct: ct);
            var psbl = lists.Single(l => l.GetProperty("slug").GetString() == "psbl").GetProperty("id").GetInt64();
            var cop = lists.Single(l => l.GetProperty("slug").GetString() == "spamcop-scbl").GetProperty("id").GetInt64();
            await api.PatchAsJsonAsync($"/api/blocklists/{psbl}", new { name = "PSBL (our wording)" }, ct);
            await api.PatchAsJsonAsync($"/api/blocklists/{cop}", new { enabled = false }, ct);
        }

        WriteCatalog(c =>
        {
            c["version"] = 101;
            Entry(c, "psbl")["name"] = "Passive Spam Block List v101";
            Entry(c, "barracuda-brbl")["name"] = "Barracuda v101";
            Entry(c, "spamcop-scbl")["name"] = "SpamCop v101";
            var added = Entry(c, "psbl").DeepClone().AsObject();
            added["slug"] = "new-list";
            added["zone"] = "new-list.example";
            c["lists"]!.AsArray().Add(added);
        });
        await using var second = Start();
        using var again = second.Api();
        var upgraded = (await ApiPages.AllAsync(again, "/api/blocklists", ct: ct)).ToDictionary(l => l.GetProperty("slug").GetString()!);

        Assert.Equal("PSBL (our wording)", upgraded["psbl"].GetProperty("name").GetString());
        Assert.Equal("Barracuda v101", upgraded["barracuda-brbl"].GetProperty("name").GetString());
        Assert.Equal("SpamCop v101", upgraded["spamcop-scbl"].GetProperty("name").GetString());
        Assert.False(upgraded["spamcop-scbl"].GetProperty("enabled").GetBoolean());
        Assert.True(upgraded.ContainsKey("new-list"));
    }
}

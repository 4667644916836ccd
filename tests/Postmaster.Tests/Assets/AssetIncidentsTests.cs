using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Auth;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Assets;

/// <summary>An asset's page shows the incidents about it and the blocks in mail logs from its addresses.</summary>
public sealed class AssetIncidentsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-asset-incidents-").FullName;
    private PostmasterApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dir, kestrel: true);
        _ = _app.ServerAddress;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<long> AddAssetAsync(string value)
    {
        using var api = _app.Api();
        var response = await api.PostAsJsonAsync("/api/assets", new { value }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private async Task AddEpisodesAsync(params string[] sourceIps)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = DateTimeOffset.UtcNow;
        db.BlockEpisodes.AddRange(sourceIps.Select(ip => new BlockEpisode
        {
            Provider = "t-online",
            SourceIp = ip,
            Kind = "ip-reputation",
            State = EpisodeState.Open,
            OpenMarker = 1,
            StartedAt = now,
            LastSeenAt = now,
            Rejections = 12,
            SampleResponse = $"554 IP={ip} - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.)",
        }));
        await db.SaveChangesAsync(Ct);
    }

    private async Task<string> AssetPageAsync(long id)
    {
        using var admin = await CookieSession.SignInAsync(_app, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
        return await (await admin.GetAsync($"/Assets/Details?id={id}")).Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task A_range_shows_its_incidents_and_the_blocks_of_addresses_inside_it()
    {
        var range = await AddAssetAsync("203.0.113.0/28");
        var incident = await IncidentSeed.AddAsync(_app, IncidentSeed.Active("t-online", "203.0.113.0/28", IncidentSeverity.Medium, DateTimeOffset.UtcNow, assetId: range));
        await AddEpisodesAsync("203.0.113.5", "203.0.113.77", "198.51.100.5");

        var html = await AssetPageAsync(range);

        Assert.Contains($"href=\"/incidents/{incident.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"mono\">203.0.113.5</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.77", html, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.5", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_wider_than_a_slash_24_finds_the_blocks_inside_it_and_none_beside_it()
    {
        var range = await AddAssetAsync("198.18.0.0/20");
        await AddEpisodesAsync("198.18.15.1", "198.18.16.1", "198.180.0.1");

        var html = await AssetPageAsync(range);

        Assert.Contains("<td class=\"mono\">198.18.15.1</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("198.18.16.1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("198.180.0.1", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incident_outside_the_inventory_links_to_the_assets_form_prefilled()
    {
        await IncidentSeed.AddAsync(_app, IncidentSeed.Active("google", "192.0.2.9", IncidentSeverity.Low, DateTimeOffset.UtcNow));
        using var admin = await CookieSession.SignInAsync(_app, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);

        var list = await (await admin.GetAsync("/incidents")).Content.ReadAsStringAsync(Ct);
        var form = await (await admin.GetAsync("/Assets?value=192.0.2.9")).Content.ReadAsStringAsync(Ct);

        Assert.Contains("not in inventory", list, StringComparison.Ordinal);
        Assert.Contains("href=\"/Assets?value=192.0.2.9#value\"", list, StringComparison.Ordinal);
        Assert.Contains("id=\"value\" type=\"text\" name=\"Value\" value=\"192.0.2.9\"", form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ip_shows_only_its_own_blocks()
    {
        var ip = await AddAssetAsync("198.51.100.20");
        await AddEpisodesAsync("198.51.100.20", "198.51.100.200");

        var html = await AssetPageAsync(ip);

        Assert.Contains("<td class=\"mono\">198.51.100.20</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.200", html, StringComparison.Ordinal);
        Assert.Contains("No incident has been about this asset.", html, StringComparison.Ordinal);
    }
}

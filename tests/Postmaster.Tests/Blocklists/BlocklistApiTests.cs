using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists;

public sealed class BlocklistApiTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_catalog_is_seeded_with_health_and_budget()
    {
        using var api = fixture.App.Api();

        var lists = await ApiPages.AllAsync(api, "/api/blocklists", ct: Ct);

        var zen = Assert.Single(lists, l => l.GetProperty("zone").GetString() == "zen.spamhaus.org");
        Assert.True(zen.GetProperty("enabled").GetBoolean());
        Assert.Equal("unchecked", zen.GetProperty("health").GetString());
        Assert.Equal(300_000, zen.GetProperty("freeDailyQueries").GetInt64());
        Assert.True(zen.GetProperty("errorCodes").TryGetProperty("127.255.255.254", out _));
    }

    [Theory]
    [InlineData("dnsbl.sorbs.net", "SORBS")]
    [InlineData("rhsbl.ahbl.org", "AHBL")]
    public async Task Adding_a_dead_zone_is_refused_with_the_reason(string zone, string named)
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsJsonAsync("/api/blocklists", new { zone, lists = "ip" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
        Assert.Contains("dead zone", detail, StringComparison.Ordinal);
        Assert.Contains(named, detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_custom_list_is_added_and_can_be_disabled()
    {
        using var api = fixture.App.Api();

        var created = await api.PostAsJsonAsync("/api/blocklists", new
        {
            zone = "bl.custom-list.example",
            lists = "ip",
            codes = new Dictionary<string, object> { ["127.0.0.2"] = new { category = "spam", severity = "high" } },
            errorCodes = new[] { "127.255.255.254" }.ToDictionary(c => c, _ => "refused"),
        }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        var patched = await api.PatchAsJsonAsync($"/api/blocklists/{id}", new { enabled = false }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False((await patched.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_zone_already_in_the_catalog_is_a_409()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsJsonAsync("/api/blocklists", new { zone = "zen.spamhaus.org.", lists = "ip" }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task A_list_with_a_code_outside_127_8_is_refused()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsJsonAsync("/api/blocklists", new
        {
            zone = "bad-codes.example",
            lists = "ip",
            codes = new Dictionary<string, object> { ["10.0.0.2"] = new { category = "spam" } },
        }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("10.0.0.2", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweeping_an_unknown_asset_is_a_400()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsJsonAsync("/api/sweeps", new { assetIds = new[] { 987654 } }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

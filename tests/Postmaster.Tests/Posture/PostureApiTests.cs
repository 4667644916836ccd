using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Auth;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Posture;

namespace Postmaster.Tests.Posture;

/// <summary>The app on SQLite, asking a real dnsmasq: its inventory is checked through the configured resolver.</summary>
public sealed class PostureAppFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("postmaster-posture-").FullName;
    private readonly UnresponsiveDnsServer _silent = new();
    private DnsmasqServer? _dns;
    private PostmasterApp? _app;

    public PostmasterApp App
    {
        get
        {
            Requirement.Require(DnsmasqServer.UnavailableReason);
            return _app ?? throw new InvalidOperationException("Not started.");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (DnsmasqServer.UnavailableReason is not null)
        {
            return;
        }

        _dns = await DnsmasqServer.StartAsync(PostureDnsFixture.Zone(_silent.EndPoint));
        _app = PostmasterApp.Sqlite(_dataDirectory, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Postmaster:Dns:Servers:0"] = $"127.0.0.1:{_dns.EndPoint.Port}",
            ["Postmaster:Dns:TimeoutSeconds"] = "0.5",
            ["Postmaster:Dns:Retries"] = "0",
            ["Postmaster:Posture:ScheduledRefresh"] = "false",
            ["Postmaster:Posture:AddressesPerRange"] = "4",
        });
        using var api = _app.Api();
        foreach (var (value, kind) in new[] { ("192.0.2.10", "ip"), ("example.test", "domain"), ("mail.example.test", "helo"), ("192.0.2.0/28", "range") })
        {
            using var response = await api.PostAsJsonAsync("/api/assets", new { value, kind });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    public async Task<long> AssetIdAsync(string value)
    {
        using var api = App.Api();
        var page = await api.GetFromJsonAsync<JsonElement>("/api/assets?limit=1000", TestContext.Current.CancellationToken);
        return page.GetProperty("items").EnumerateArray().First(a => a.GetProperty("value").GetString() == value).GetProperty("id").GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }

        _silent.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

public sealed class PostureApiTests(PostureAppFixture fixture) : IClassFixture<PostureAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetAsync(string asset)
    {
        using var api = fixture.App.Api();
        using var response = await api.GetAsync($"/api/posture/{asset}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static JsonElement Check(JsonElement posture, string name) =>
        posture.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static string Status(JsonElement posture, string name) => Check(posture, name).GetProperty("status").GetString()!;

    [Fact]
    public async Task An_address_answers_the_contract_by_id_and_by_value()
    {
        var id = await fixture.AssetIdAsync("192.0.2.10");

        var byId = await GetAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var byValue = await GetAsync("192.0.2.10");

        Assert.Equal(["value", "checkedAt", "checks"], byId.EnumerateObject().Select(p => p.Name));
        Assert.Equal("192.0.2.10", byId.GetProperty("value").GetString());
        Assert.Equal(["ptr", "fcrdns", "helo", "website", "spf"], byId.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.All(byId.GetProperty("checks").EnumerateArray(), c => Assert.Equal(["name", "status", "detail", "fix"], c.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("pass", Status(byId, "ptr"));
        Assert.Equal("pass", Status(byId, "fcrdns"));
        Assert.Equal("pass", Status(byId, "helo"));
        Assert.Equal("unknown", Status(byId, "website"));
        Assert.Equal("pass", Status(byId, "spf"));
        Assert.Equal(byId.GetProperty("checkedAt").GetString(), byValue.GetProperty("checkedAt").GetString()); // stored, not checked again
    }

    [Fact]
    public async Task A_domain_gets_the_domain_checks()
    {
        var posture = await GetAsync("example.test");

        Assert.Equal(["spf", "dmarc", "dkim", "mx", "mta-sts"], posture.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("pass", Status(posture, "dmarc"));
        Assert.Equal("pass", Status(posture, "mx"));
        Assert.Equal("warn", Status(posture, "mta-sts"));
        Assert.All(posture.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("status").GetString() != "pass"),
            c => Assert.False(string.IsNullOrEmpty(c.GetProperty("fix").GetString())));
    }

    [Fact]
    public async Task A_range_says_how_many_of_its_addresses_were_checked()
    {
        var posture = await GetAsync("192.0.2.0/28");

        Assert.Contains("of the 16 addresses checked", Check(posture, "ptr").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("fail", Status(posture, "ptr")); // 192.0.2.0 has no PTR
        var id = await fixture.AssetIdAsync("192.0.2.0/28");
        using var api = fixture.App.Api();
        using var refresh = await api.PostAsync("/api/posture/192.0.2.0%2F28/refresh", null, Ct);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(posture.GetProperty("value").GetString(), (await GetAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture))).GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_value_outside_the_inventory_is_checked_now_and_not_stored()
    {
        var posture = await GetAsync("192.0.2.20");
        using var api = fixture.App.Api();
        using var refresh = await api.PostAsync("/api/posture/192.0.2.20/refresh", null, Ct);

        Assert.Equal("fail", Status(posture, "fcrdns"));
        Assert.Equal(HttpStatusCode.NotFound, refresh.StatusCode);
        Assert.Contains("not in the inventory", await refresh.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_values_are_400_and_unknown_ids_404()
    {
        using var api = fixture.App.Api();
        using var bad = await api.GetAsync("/api/posture/not-a-domain", Ct);
        using var missing = await api.GetAsync("/api/posture/987654321", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Dkim_selectors_set_for_a_domain_are_checked_at_the_next_refresh()
    {
        using var api = fixture.App.Api();
        using var bad = await api.PutAsJsonAsync("/api/posture/example.test/dkim-selectors", new { selectors = new[] { "no good!" } }, Ct);
        using var set = await api.PutAsJsonAsync("/api/posture/example.test/dkim-selectors", new { selectors = new[] { "good", "small" } }, Ct);
        using var refresh = await api.PostAsync("/api/posture/example.test/refresh", null, Ct);
        var posture = await refresh.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal("fail", Status(posture, "dkim"));
        Assert.Contains("small: RSA 512-bit", Check(posture, "dkim").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("good: RSA 2048-bit", Check(posture, "dkim").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_drafts_get_the_address_facts_and_its_sending_domains()
    {
        var id = await fixture.AssetIdAsync("192.0.2.10");
        using var api = fixture.App.Api();
        (await api.PostAsync($"/api/posture/{id}/refresh", null, Ct)).Dispose();
        (await api.PostAsync("/api/posture/example.test/refresh", null, Ct)).Dispose();

        await using var scope = fixture.App.Services.CreateAsyncScope();
        var facts = await scope.ServiceProvider.GetRequiredService<PostureQueries>().ForAssetAsync(id, "192.0.2.10", Ct);

        Assert.Contains(facts, f => f is { Value: "192.0.2.10", Name: "fcrdns", Status: "pass" });
        Assert.Contains(facts, f => f is { Value: "example.test", Name: "dmarc", Status: "pass" });
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<PostureQueries>().ForAssetAsync(null, "198.51.100.1", Ct));
    }

    [Fact]
    public async Task The_asset_page_shows_the_checklist_and_refreshes_it_for_a_responder()
    {
        var id = await fixture.AssetIdAsync("mail.example.test");
        using var admin = await CookieSession.SignInAsync(fixture.App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);

        var before = await (await admin.GetAsync($"/Assets/Details?id={id}")).Content.ReadAsStringAsync(Ct);
        using var refreshed = await admin.PostFormAsync($"/Assets/Details?id={id}", [], $"/Assets/Details?id={id}&handler=Refresh");
        var after = await (await admin.GetAsync($"/Assets/Details?id={id}")).Content.ReadAsStringAsync(Ct);

        Assert.Contains("Not checked yet", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, refreshed.StatusCode);
        Assert.Contains("id=\"posture-checks\"", after, StringComparison.Ordinal);
        Assert.Contains("data-check=\"helo\"", after, StringComparison.Ordinal);
        Assert.Contains("posture-pass", after, StringComparison.Ordinal); // mail.example.test → 192.0.2.10 → mail.example.test
    }

    [Fact]
    public async Task The_incident_page_shows_its_asset_groups_posture()
    {
        var id = await fixture.AssetIdAsync("192.0.2.10");
        using (var api = fixture.App.Api())
        {
            (await api.PostAsync($"/api/posture/{id}/refresh", null, Ct)).Dispose();
        }

        var incident = await IncidentSeed.AddAsync(fixture.App, IncidentSeed.Active("t-online", "192.0.2.10", IncidentSeverity.High, DateTimeOffset.UtcNow, id));
        var outside = await IncidentSeed.AddAsync(fixture.App, IncidentSeed.Active("microsoft", "198.51.100.1", IncidentSeverity.High, DateTimeOffset.UtcNow));
        using var admin = await CookieSession.SignInAsync(fixture.App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);

        var html = await (await admin.GetAsync($"/incidents/{incident.Id}")).Content.ReadAsStringAsync(Ct);
        var outsideHtml = await (await admin.GetAsync($"/incidents/{outside.Id}")).Content.ReadAsStringAsync(Ct);

        Assert.Contains("id=\"posture-checks\"", html, StringComparison.Ordinal);
        Assert.Contains("data-check=\"fcrdns\"", html, StringComparison.Ordinal);
        Assert.Contains("Posture is kept for inventory assets", outsideHtml, StringComparison.Ordinal);
    }
}

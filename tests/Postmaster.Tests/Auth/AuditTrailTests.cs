using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Auth;

/// <summary>Who did what, from where: recorded as it happens, read by admins, newest first, page by page.</summary>
public sealed class AuditTrailTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task A_sign_in_is_recorded_with_the_user_and_the_client_address()
    {
        await TestUsers.CreateAsync(App, "audited@postmaster.test", Roles.Viewer);

        using var _ = await CookieSession.SignInAsync(App, "audited@postmaster.test", TestUsers.Password);

        var entry = (await AllEntriesAsync()).First(e => e.GetProperty("action").GetString() == "sign-in" && e.GetProperty("target").GetString() == "audited@postmaster.test");
        Assert.Equal("user:audited@postmaster.test", entry.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("clientAddress").GetString());
    }

    [Fact]
    public async Task Adding_an_asset_with_a_key_is_recorded_with_the_keys_name()
    {
        using var api = App.Api();

        await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.77", label = "audited" }, TestContext.Current.CancellationToken);

        var entry = (await AllEntriesAsync()).First(e => e.GetProperty("action").GetString() == "asset-added" && e.GetProperty("target").GetString() == "198.51.100.77");
        Assert.Equal("key:bootstrap", entry.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Creating_an_api_key_on_the_settings_page_is_recorded()
    {
        using var admin = await CookieSession.SignInAsync(App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);

        var created = await admin.PostFormAsync("/Settings/ApiKeys", new() { ["Name"] = "audited-mta", ["Role"] = Roles.Responder }, "/Settings/ApiKeys?handler=Create");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var entry = (await AllEntriesAsync()).First(e => e.GetProperty("action").GetString() == "api-key-created" && e.GetProperty("target").GetString() == "audited-mta");
        Assert.Equal($"user:{PostmasterApp.AdminEmail}", entry.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("clientAddress").GetString());
    }

    [Fact]
    public async Task The_trail_pages_newest_first_with_a_cursor_until_next_is_null()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;
        for (var i = 1; i <= 5; i++)
        {
            await api.PostAsJsonAsync("/api/assets", new { value = $"198.51.100.{110 + i}" }, ct);
        }

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/api/audit?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", ct);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            ids.AddRange(items.Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("next").GetString();
            pages++;
        }
        while (cursor is not null && pages < 1000);

        Assert.True(ids.Count >= 5);
        Assert.Equal(ids.OrderByDescending(id => id), ids); // newest first, nothing twice
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal((ids.Count + 1) / 2, pages);
    }

    [Fact]
    public async Task A_viewer_key_may_not_read_the_trail()
    {
        using var api = App.Api(await App.CreateApiKeyAsync(Roles.Viewer));

        var response = await api.GetAsync("/api/audit", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Admins_read_the_trail_on_the_settings_page()
    {
        using var admin = await CookieSession.SignInAsync(App, PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);

        var html = await (await admin.GetAsync("/Settings/Audit")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains($"user:{PostmasterApp.AdminEmail}", html, StringComparison.Ordinal);
        Assert.Contains("sign-in", html, StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> AllEntriesAsync()
    {
        using var api = App.Api();
        var page = await api.GetFromJsonAsync<JsonElement>("/api/audit?limit=500", TestContext.Current.CancellationToken);
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}

/// <summary>The nightly clean-up keeps <c>Postmaster:Retention:AuditDays</c> of the trail.</summary>
public sealed class AuditRetentionTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task Entries_older_than_the_retention_are_removed_and_newer_ones_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        db.AuditEntries.Add(new AuditEntry { At = now.AddDays(-401), Actor = "system", Action = "old-enough" });
        db.AuditEntries.Add(new AuditEntry { At = now.AddDays(-399), Actor = "system", Action = "kept" });
        await db.SaveChangesAsync(ct);

        var removed = await ActivatorUtilities.CreateInstance<AuditRetentionJob>(scope.ServiceProvider).PruneAsync(ct);

        Assert.Equal(1, removed);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == "old-enough", ct));
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "kept", ct));
    }
}

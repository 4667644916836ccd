using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Assets;
using Postmaster.Core.Signals;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Assets;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Api;

/// <summary>
/// PRODUCT.md: every endpoint that lists stored things answers {"items", "next"} and pages with
/// ?cursor=&amp;limit=; never a silent cut. Rows are seeded straight into the database, as a busy
/// installation would have them, run once per database.
/// </summary>
public abstract class ListPagingContract(IAppFixture fixture)
{
    public static readonly TheoryData<string> ListEndpoints =
    [
        "/api/assets", "/api/blocklists", "/api/listings?active=true", "/api/sweeps",
        "/api/signals/episodes", "/api/signals/samples", "/api/signals/quiet", "/api/audit", "/api/incidents?active=true", "/api/alerts",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task Active_listings_of_a_range_on_several_lists_page_past_ten_thousand_with_none_lost_or_repeated()
    {
        // A /16 listed on two lists: 10,200 active listings (the old answer stopped at 10,000) and some delisted.
        var seeded = await SeedListingsAsync("198.18.0.0/16", addresses: 5_100, delisted: 40);
        using var api = App.Api();

        var first = await api.GetFromJsonAsync<JsonElement>($"/api/listings?active=true&assetId={seeded.AssetId}", Ct);
        var all = await ApiPages.AllAsync(api, $"/api/listings?active=true&assetId={seeded.AssetId}", limit: 1000, ct: Ct);

        Assert.Equal(100, first.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.String, first.GetProperty("next").ValueKind);
        Assert.Equal(10_200, all.Count);
        Assert.Equal(10_200, all.Select(l => (l.GetProperty("value").GetString(), l.GetProperty("zone").GetString())).Distinct().Count());
        Assert.All(all, l => Assert.True(l.GetProperty("active").GetBoolean()));
        var one = all[0];
        Assert.Equal("198.18.0.0/16", one.GetProperty("asset").GetString());
        Assert.False(one.GetProperty("zone").GetString()!.EndsWith('.'));
        foreach (var field in new[] { "value", "provider", "codes", "category", "reason", "firstSeen", "lastSeen" })
        {
            Assert.True(one.TryGetProperty(field, out _), $"a listing has no '{field}'");
        }
    }

    [Theory]
    [MemberData(nameof(ListEndpoints))]
    public async Task Every_list_endpoint_answers_items_and_next(string path)
    {
        using var api = App.Api();

        var body = await api.GetFromJsonAsync<JsonElement>(path, Ct);

        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("items").ValueKind);
        Assert.True(body.TryGetProperty("next", out var next), "no 'next' in the answer");
        Assert.True(next.ValueKind is JsonValueKind.Null or JsonValueKind.String);
    }

    [Theory]
    [MemberData(nameof(ListEndpoints))]
    public async Task A_cursor_the_list_never_gave_out_is_a_400_problem(string path)
    {
        using var api = App.Api();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';

        foreach (var cursor in new[] { "not a cursor", Base64Url("listings:{\"id\":\"x\"}"), Base64Url("nothing:{}"), new string('A', 5000) })
        {
            var response = await api.GetAsync($"{path}{separator}cursor={Uri.EscapeDataString(cursor)}", Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Contains("next", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused_rather_than_misread()
    {
        await SeedSweepsAsync(3);
        using var api = App.Api();
        var sweeps = await api.GetFromJsonAsync<JsonElement>("/api/sweeps?limit=1", Ct);
        var sweepCursor = sweeps.GetProperty("next").GetString()!;

        var response = await api.GetAsync($"/api/listings?cursor={Uri.EscapeDataString(sweepCursor)}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-5")]
    [InlineData("many")]
    public async Task A_limit_outside_one_to_a_thousand_is_a_400_problem_that_says_the_range(string limit)
    {
        using var api = App.Api();

        var response = await api.GetAsync($"/api/listings?limit={limit}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("1 to 1000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_page_in_kind_then_value_order_and_the_last_page_says_next_null()
    {
        using var api = App.Api();
        string[] values = ["mail.paging.example", "paging.example", "198.51.100.91", "198.51.100.90", "198.51.100.0/28", "203.0.113.0/28"];
        foreach (var value in values)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/assets", new { value, pool = "paging-pool" }, Ct)).StatusCode);
        }

        var first = await api.GetFromJsonAsync<JsonElement>("/api/assets?pool=paging-pool&limit=2", Ct);
        var all = await ApiPages.AllAsync(api, "/api/assets?pool=paging-pool", limit: 2, ct: Ct);
        var last = await api.GetFromJsonAsync<JsonElement>("/api/assets?pool=paging-pool&limit=6", Ct);

        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(
            new[] { "mail.paging.example", "paging.example", "198.51.100.90", "198.51.100.91", "198.51.100.0/28", "203.0.113.0/28" },
            all.Select(a => a.GetProperty("value").GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task The_catalog_pages_to_every_list()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().Blocklists.CountAsync(Ct);
        using var api = App.Api();

        var all = await ApiPages.AllAsync(api, "/api/blocklists", limit: 5, ct: Ct);

        Assert.Equal(stored, all.Select(l => l.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.Equal(stored, all.Count);
    }

    [Fact]
    public async Task Sweeps_page_past_the_fifty_most_recent()
    {
        await SeedSweepsAsync(60);
        await using var scope = App.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().SweepRuns.CountAsync(Ct);
        using var api = App.Api();

        var all = await ApiPages.AllAsync(api, "/api/sweeps", limit: 7, ct: Ct);

        Assert.True(stored >= 60);
        var ids = all.Select(s => s.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(stored, ids.Distinct().Count());
        Assert.Equal(ids.OrderDescending(), ids);
    }

    [Fact]
    public async Task Episodes_and_samples_page_past_their_old_cuts()
    {
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
            var at = DateTimeOffset.UtcNow.AddHours(-1);
            db.BlockEpisodes.AddRange(Enumerable.Range(0, 520).Select(i => new BlockEpisode
            {
                Provider = "paging-provider",
                SourceIp = $"198.51.{i / 256}.{i % 256}",
                Kind = "ip-reputation",
                State = EpisodeState.Open,
                OpenMarker = 1,
                StartedAt = at,
                LastSeenAt = at,
                Rejections = 3,
            }));
            db.SignalSamples.AddRange(Enumerable.Range(0, 250).Select(i => new SignalSample
            {
                At = at,
                Provider = "paging-provider",
                Kind = "ip-reputation",
                Status = DeliveryStatus.Bounced,
                Response = $"550 sample {i}",
                Origin = "test",
            }));
            await db.SaveChangesAsync(Ct);
        }

        using var api = App.Api();

        var episodes = await ApiPages.AllAsync(api, "/api/signals/episodes?open=true", limit: 1000, ct: Ct);
        var samples = await ApiPages.AllAsync(api, "/api/signals/samples?provider=paging-provider", limit: 60, ct: Ct);

        Assert.Equal(520, episodes.Count(e => e.GetProperty("provider").GetString() == "paging-provider"));
        Assert.Equal(250, samples.Select(s => s.GetProperty("response").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Quiet_ips_are_computed_and_paged_all_the_same_quietest_first()
    {
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.ProviderActivity.AddRange(Enumerable.Range(0, 150).Select(i => new ProviderActivity
            {
                Provider = "t-online",
                SourceIp = $"192.0.2.{i}",
                LastDelivered = now.AddDays(-300 - (i % 7)),
                Delivered = 1,
            }));
            await db.SaveChangesAsync(Ct);
        }

        using var api = App.Api();

        var quiet = await ApiPages.AllAsync(api, "/api/signals/quiet", limit: 40, ct: Ct);

        var ours = quiet.Where(q => q.GetProperty("sourceIp").GetString()!.StartsWith("192.0.2.", StringComparison.Ordinal)).ToList();
        Assert.Equal(150, ours.Select(q => q.GetProperty("sourceIp").GetString()).Distinct().Count());
        var days = quiet.Select(q => q.GetProperty("quietDays").GetInt32()).ToList();
        Assert.Equal(days.OrderDescending(), days);
    }

    private async Task<(long AssetId, int Active)> SeedListingsAsync(string range, int addresses, int delisted)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = DateTimeOffset.UtcNow;
        var asset = new Asset { Kind = AssetKind.Range, Value = range, AddressCount = 65_536, CreatedAt = now };
        db.Assets.Add(asset);
        await db.SaveChangesAsync(Ct);
        var lists = await db.Blocklists.Where(b => b.Zone == "zen.spamhaus.org" || b.Zone == "b.barracudacentral.org").Select(b => b.Id).ToListAsync(Ct);
        Assert.Equal(2, lists.Count);
        var prefix = range[..range.LastIndexOf(".0.0/", StringComparison.Ordinal)];
        var rows = lists.SelectMany(list => Enumerable.Range(0, addresses + delisted).Select(i => new Listing
        {
            AssetId = asset.Id,
            BlocklistId = list,
            Value = $"{prefix}.{i / 256}.{i % 256}",
            Active = i < addresses,
            Codes = "127.0.0.2",
            Categories = "spam",
            Reason = "listed for the paging test",
            FirstSeen = now,
            LastSeen = now,
            LastChecked = now,
            DelistedAt = i < addresses ? null : now,
        }));
        db.Listings.AddRange(rows);
        await db.SaveChangesAsync(Ct);
        return (asset.Id, addresses * lists.Count);
    }

    private async Task SeedSweepsAsync(int count)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = DateTimeOffset.UtcNow;
        db.SweepRuns.AddRange(Enumerable.Range(0, count).Select(_ => new SweepRun
        {
            State = SweepState.Completed,
            Trigger = "schedule",
            CreatedAt = now,
            StartedAt = now,
            FinishedAt = now,
        }));
        await db.SaveChangesAsync(Ct);
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class SqliteListPagingTests(SqliteAppFixture fixture) : ListPagingContract(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresListPagingTests(PostgresAppFixture fixture) : ListPagingContract(fixture), IClassFixture<PostgresAppFixture>;

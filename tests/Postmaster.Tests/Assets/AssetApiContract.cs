using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Assets;

/// <summary>The asset API as PRODUCT.md describes it, run once per database.</summary>
public abstract class AssetApiContract(IAppFixture fixture)
{
    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task Adding_an_ip_answers_201_with_id_and_inferred_kind()
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/assets", new { value = "203.0.113.7", label = "mta-1" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("ip", body.GetProperty("kind").GetString());
        Assert.Equal("mta-1", body.GetProperty("label").GetString());
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/api/assets/{id}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_cidr_range_is_stored_as_a_range_with_its_address_count()
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/assets", new { value = "203.0.113.0/28", label = "pool-a" }, TestContext.Current.CancellationToken);

        var body = await Json(response);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("range", body.GetProperty("kind").GetString());
        Assert.Equal(16, body.GetProperty("addressCount").GetInt64());
    }

    [Fact]
    public async Task An_idn_domain_is_stored_as_punycode()
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/assets", new { value = "Bücher.example" }, TestContext.Current.CancellationToken);

        var body = await Json(response);
        Assert.Equal("domain", body.GetProperty("kind").GetString());
        Assert.Equal("xn--bcher-kva.example", body.GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_helo_name_needs_kind_helo_and_may_share_its_value_with_a_domain()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;

        var asDomain = await api.PostAsJsonAsync("/api/assets", new { value = "mta.helo-shared.example" }, ct);
        var asHelo = await api.PostAsJsonAsync("/api/assets", new { value = "mta.helo-shared.example", kind = "helo" }, ct);

        Assert.Equal(HttpStatusCode.Created, asDomain.StatusCode);
        Assert.Equal(HttpStatusCode.Created, asHelo.StatusCode);
        Assert.Equal("helo", (await Json(asHelo)).GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("300.1.1.1", "300 is above 255")]
    [InlineData("198.0.0.0/8", "larger than a /16")]
    [InlineData("not a host", "not a valid domain")]
    public async Task Bad_input_is_a_400_problem_naming_the_value_and_why(string value, string why)
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/assets", new { value }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(value, problem.GetProperty("value").GetString());
    }

    [Fact]
    public async Task An_unknown_kind_is_a_400()
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/assets", new { value = "example.org", kind = "mailbox" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown kind 'mailbox'", (await Json(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        using var api = App.Api();
        using var content = new StringContent("value=203.0.113.1", System.Text.Encoding.UTF8, "application/json");

        var response = await api.PostAsync("/api/assets", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Adding_the_same_value_twice_is_a_409_naming_the_existing_asset()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;
        var first = await Json(await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.44" }, ct));

        var again = await api.PostAsJsonAsync("/api/assets", new { value = " 198.51.100.44 " }, ct);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(first.GetProperty("id").GetInt64(), (await Json(again)).GetProperty("existingId").GetInt64());
    }

    [Fact]
    public async Task Listing_returns_what_was_added_in_camel_case()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;
        await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.50", pool = "listing-pool" }, ct);

        var list = await ApiPages.AllAsync(api, "/api/assets?pool=listing-pool", ct: ct);

        var only = Assert.Single(list);
        Assert.Equal("198.51.100.50", only.GetProperty("value").GetString());
        Assert.True(only.TryGetProperty("createdAt", out _));
    }

    [Fact]
    public async Task Deleting_removes_the_asset_and_a_second_delete_is_404()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;
        var id = (await Json(await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.60" }, ct))).GetProperty("id").GetInt64();

        var deleted = await api.DeleteAsync($"/api/assets/{id}", ct);
        var again = await api.DeleteAsync($"/api/assets/{id}", ct);
        var get = await api.GetAsync($"/api/assets/{id}", ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task A_partial_bulk_paste_keeps_the_good_lines_and_reports_the_bad_ones()
    {
        using var api = App.Api();
        var ct = TestContext.Current.CancellationToken;
        await api.PostAsJsonAsync("/api/assets", new { value = "192.0.2.10" }, ct);
        const string lines = "# our MTAs\n192.0.2.11 mta-11\n192.0.2.300\n\n192.0.2.10\nbulk.example.org, newsletters\n192.0.2.11";

        var response = await api.PostAsJsonAsync("/api/assets/bulk", new { lines }, ct);

        var body = await Json(response);
        Assert.Equal(2, body.GetProperty("added").GetInt32());
        Assert.Equal(2, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, body.GetProperty("invalid").GetInt32());
        var bad = body.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("outcome").GetString() == "invalid");
        Assert.Equal(3, bad.GetProperty("line").GetInt32());
        var list = await ApiPages.AllAsync(api, "/api/assets?kind=domain", ct: ct);
        Assert.Contains(list, a => a.GetProperty("value").GetString() == "bulk.example.org" && a.GetProperty("label").GetString() == "newsletters");
    }

    [Fact]
    public async Task Without_a_key_the_api_answers_401_problem()
    {
        using var api = App.Api(key: null);

        var response = await api.GetAsync("/api/assets", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_key_is_refused()
    {
        using var api = App.Api(key: "pm_not_a_real_key_at_all_000000000");

        var response = await api.GetAsync("/api/assets", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_viewer_key_can_read_but_not_add()
    {
        var key = await App.CreateApiKeyAsync(Roles.Viewer);
        using var api = App.Api(key);
        var ct = TestContext.Current.CancellationToken;

        var read = await api.GetAsync("/api/assets", ct);
        var write = await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.70" }, ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
}

public sealed class SqliteAssetApiTests(SqliteAppFixture fixture) : AssetApiContract(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresAssetApiTests(PostgresAppFixture fixture) : AssetApiContract(fixture), IClassFixture<PostgresAppFixture>;

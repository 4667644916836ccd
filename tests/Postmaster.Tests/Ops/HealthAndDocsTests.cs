using System.Net;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Ops;

public sealed class HealthAndDocsTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task Healthz_answers_200_without_a_key()
    {
        using var client = fixture.App.Api(key: null);

        var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_asset_calls()
    {
        using var client = fixture.App.Api(key: null);

        var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));

        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/assets", out var assets));
        Assert.True(assets.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/assets/{id}", out var one));
        Assert.True(one.TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task The_login_page_is_served_to_anonymous_visitors()
    {
        using var client = fixture.App.Api(key: null);

        var html = await client.GetStringAsync("/login", TestContext.Current.CancellationToken);

        Assert.Contains("Sign in to Postmaster", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/Assets")]
    [InlineData("/Settings/ApiKeys")]
    public async Task Every_other_page_sends_anonymous_visitors_to_login(string path)
    {
        using var client = fixture.App.Api(key: null);

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }
}

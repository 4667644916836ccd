using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Api;

/// <summary>Under /api every error is problem+json with a sentence to act on, and nothing redirects to the sign-in page.</summary>
public sealed class ApiErrorTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString() ?? "";

    [Fact]
    public async Task An_unknown_path_is_a_404_problem_pointing_at_the_api_description()
    {
        using var api = fixture.App.Api();

        var problem = await ProblemAsync(await api.GetAsync("/api/nothing-here", Ct), HttpStatusCode.NotFound);

        Assert.Contains("/api/nothing-here", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("/openapi/v1.json", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem_naming_the_allowed_methods()
    {
        using var api = fixture.App.Api();

        var response = await api.PutAsync("/api/assets", JsonContent.Create(new { value = "192.0.2.1" }), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("PUT", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("GET", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("POST", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_415_problem_naming_the_expected_one()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsync("/api/assets", new StringContent("value=192.0.2.1", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("application/x-www-form-urlencoded", Detail(problem), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "GET", "/api/assets")]
    [InlineData(null, "GET", "/api/nothing-here")]
    [InlineData(null, "PUT", "/api/assets")]
    [InlineData(null, "POST", "/api/assets")]
    [InlineData("pm_not_a_key_0000000000000000", "GET", "/api/assets")]
    [InlineData("pm_not_a_key_0000000000000000", "GET", "/api/nothing-here")]
    [InlineData("pm_not_a_key_0000000000000000", "DELETE", "/api/signals/summary")]
    public async Task Without_a_valid_key_every_api_address_is_a_401_problem_never_a_redirect(string? key, string method, string path)
    {
        using var api = fixture.App.Api(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "GET" or "DELETE" ? null : new StringContent("value=x", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        var problem = await ProblemAsync(await api.SendAsync(request, Ct), HttpStatusCode.Unauthorized);

        Assert.Contains(key is null ? "Bearer" : "unknown", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_naming_its_position()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsync("/api/assets", new StringContent("{\n  \"value\": \"192.0.2.9\",\n  \"label\": oops\n}", Encoding.UTF8, "application/json"), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("line 3", Detail(problem), StringComparison.Ordinal);
        Assert.Equal(3, problem.GetProperty("line").GetInt64());
        Assert.Equal("$.label", problem.GetProperty("path").GetString());
    }

    [Fact]
    public async Task An_unknown_field_is_a_400_problem_naming_it_and_the_expected_ones()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsJsonAsync("/api/signals/classify", new { reply = "550 5.7.1 blocked" }, Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'reply'", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("response, recipientDomain, mx", Detail(problem), StringComparison.Ordinal);
        Assert.DoesNotContain("Postmaster.Web", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Known_fields_still_bind_on_every_json_call()
    {
        using var api = fixture.App.Api();

        var asset = await api.PostAsJsonAsync("/api/assets", new { value = "192.0.2.77", label = "pool-a", pool = "a", owner = "ops" }, Ct);
        var classify = await api.PostAsJsonAsync("/api/signals/classify", new { response = "550 5.7.1 blocked", recipientDomain = "gmail.com", mx = "gmail-smtp-in.l.google.com" }, Ct);

        Assert.Equal(HttpStatusCode.Created, asset.StatusCode);
        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
    }
}

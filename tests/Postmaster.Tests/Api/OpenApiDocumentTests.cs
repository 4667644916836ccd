using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Api;

/// <summary>/openapi/v1.json is a document a client generator can use as it is.</summary>
public sealed class OpenApiDocumentTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = fixture.App.Api(key: null);
        return JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from op in path.Value.EnumerateObject()
        where Methods.Contains(op.Name)
        select (path.Name, op.Name, op.Value);

    [Fact]
    public async Task It_declares_the_bearer_scheme_and_every_api_operation_requires_it()
    {
        var document = await DocumentAsync();

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var bearer = Assert.Single(schemes.EnumerateObject(), s => s.Value.GetProperty("type").GetString() == "http");
        Assert.Equal("bearer", bearer.Value.GetProperty("scheme").GetString());
        Assert.All(Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)), o =>
        {
            Assert.True(o.Operation.TryGetProperty("security", out var security), $"{o.Method} {o.Path} has no security requirement.");
            Assert.Contains(security.EnumerateArray(), r => r.TryGetProperty(bearer.Name, out _));
        });
    }

    [Fact]
    public async Task Every_operation_has_a_unique_operation_id()
    {
        var document = await DocumentAsync();

        var ids = Operations(document).Select(o =>
            o.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : $"(none on {o.Method} {o.Path})").ToList();

        Assert.All(ids, id => Assert.DoesNotContain("(none", id, StringComparison.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Every_api_operation_describes_its_problem_responses()
    {
        var document = await DocumentAsync();

        Assert.All(Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)), o =>
        {
            var responses = o.Operation.GetProperty("responses");
            foreach (var status in new List<string> { "401", "404", "405" }
                .Concat(o.Operation.TryGetProperty("requestBody", out _) ? ["400", "415"] : Array.Empty<string>()))
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"{o.Method} {o.Path} does not describe {status}.");
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{o.Method} {o.Path} {status} is not problem+json.");
            }
        });
    }

    [Fact]
    public async Task Calls_that_need_more_than_a_viewer_describe_403()
    {
        var document = await DocumentAsync();

        var paths = document.GetProperty("paths");
        var ingest = paths.GetProperty("/api/signals").GetProperty("post");

        Assert.True(ingest.GetProperty("responses").TryGetProperty("403", out _));
        foreach (var (path, method) in new[] { ("/api/incidents/{id}/requests", "post"), ("/api/requests/{id}", "patch"), ("/api/requests/{id}/send", "post") })
        {
            Assert.True(paths.GetProperty(path).GetProperty(method).GetProperty("responses").TryGetProperty("403", out _), $"{method} {path} does not describe 403.");
        }
    }

    [Fact]
    public async Task The_request_calls_describe_their_refusals()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        foreach (var (path, method, status) in new[]
        {
            ("/api/incidents/{id}/requests", "post", "409"), ("/api/requests/{id}", "patch", "409"),
            ("/api/requests/{id}/send", "post", "409"), ("/api/requests/{id}/send", "post", "502"),
        })
        {
            var responses = paths.GetProperty(path).GetProperty(method).GetProperty("responses");
            Assert.True(responses.TryGetProperty(status, out var response), $"{method} {path} does not describe {status}.");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {status} is not problem+json.");
        }

        Assert.True(paths.TryGetProperty("/api/incidents/{id}/templates", out _));
        Assert.True(paths.GetProperty("/api/requests").TryGetProperty("get", out _));
    }
}

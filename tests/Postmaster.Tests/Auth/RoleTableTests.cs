using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Postmaster.Tests.Auth;

/// <summary>
/// Every API operation and every page, taken from the app's own endpoint data source, against
/// PRODUCT.md's role table: an operation added later is covered without editing this file.
/// </summary>
public sealed partial class RoleTableTests(RoleFixture fixture) : IClassFixture<RoleFixture>
{
    private static readonly RequiredRole[] Roles = [RequiredRole.Viewer, RequiredRole.Responder, RequiredRole.Admin];

    [Fact]
    public void The_app_has_the_operations_and_pages_these_tests_walk()
    {
        // Guards the walk itself: an empty data source would make every other test here pass.
        Assert.True(ApiOperations().Count >= 15, $"Only {ApiOperations().Count} API operations found.");
        Assert.True(Pages().Count >= 10, $"Only {Pages().Count} pages found.");
        Assert.Contains(ApiOperations(), o => o is { Method: "DELETE", Template: "/api/assets/{id:long}" });
        Assert.Contains(ApiOperations(), o => o is { Method: "PATCH", Template: "/api/incidents/{id:long}" });
        Assert.Contains(ApiOperations(), o => o is { Method: "POST", Template: "/api/incidents/{id:long}/requests" });
        Assert.Contains(ApiOperations(), o => o is { Method: "PATCH", Template: "/api/requests/{id:long}" });
        Assert.Contains(ApiOperations(), o => o is { Method: "POST", Template: "/api/requests/{id:long}/send" });
        Assert.Contains(Pages(), p => p.ViewPath == "/Settings/Organisation");
        Assert.Contains(ApiOperations(), o => o is { Method: "POST", Template: "/api/alerts/test" });
        Assert.Contains(Pages(), p => p.ViewPath == "/Settings/Alerts");
        Assert.Contains(Pages(), p => p.ViewPath == "/Account/Alerts");
    }

    [Fact]
    public async Task Every_api_operation_answers_401_problem_json_without_a_key_or_with_a_wrong_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = fixture.App.Api(key: null);
        using var wrong = fixture.App.Api("pm_not_a_key_that_exists_0123456789");
        var failures = new List<string>();

        foreach (var op in ApiOperations())
        {
            foreach (var (who, client) in new[] { ("no key", anonymous), ("a wrong key", wrong) })
            {
                using var response = await client.SendAsync(op.Request(), ct);
                if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{op} with {who}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {response.Headers.Location}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_api_operation_lets_in_the_roles_the_role_table_names_and_only_those()
    {
        var ct = TestContext.Current.CancellationToken;
        var failures = new List<string>();

        foreach (var op in ApiOperations())
        {
            var required = RoleTable.ForApi(op.Method, op.Path);
            foreach (var role in Roles)
            {
                using var client = fixture.Api(role);
                using var response = await client.SendAsync(op.Request(), ct);
                var status = response.StatusCode;
                if (role < required && status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{op} as {role}: expected 403 (needs {required}), got {(int)status}");
                }
                else if (role >= required && status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{op} as {role}: expected to be let in, got {(int)status}");
                }
                else if (status is HttpStatusCode.Redirect or HttpStatusCode.Found)
                {
                    failures.Add($"{op} as {role}: redirected to {response.Headers.Location}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_page_sends_anonymous_visitors_to_sign_in()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = fixture.App.Api(key: null);
        var failures = new List<string>();

        foreach (var page in Pages().Where(p => !p.Anonymous))
        {
            using var response = await anonymous.GetAsync(page.Path, ct);
            if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString.Contains("/login", StringComparison.Ordinal) != true)
            {
                failures.Add($"GET {page.Path}: {(int)response.StatusCode} {response.Headers.Location}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_page_opens_for_the_roles_the_role_table_names_and_only_those()
    {
        var ct = TestContext.Current.CancellationToken;
        var failures = new List<string>();

        foreach (var page in Pages().Where(p => !p.Anonymous))
        {
            var required = RoleTable.ForPage(page.ViewPath);
            foreach (var role in Roles)
            {
                using var response = await fixture.Session(role).GetAsync(page.Path, ct);
                Judge(failures, $"GET {page.Path}", role, required, response, antiforgeryChecked: false);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_page_form_accepts_the_roles_the_role_table_names_and_only_those()
    {
        var ct = TestContext.Current.CancellationToken;
        var failures = new List<string>();
        var loader = fixture.App.Services.GetRequiredService<PageLoader>();
        var tokens = new Dictionary<RequiredRole, string>();
        foreach (var role in Roles)
        {
            tokens[role] = await fixture.AntiforgeryTokenAsync(role, ct);
        }

        var walked = new List<string>();

        // Account pages act on the signed-in person only (sign out, own password): every role may.
        foreach (var page in Pages().Where(p => !p.Anonymous && !p.ViewPath.StartsWith("/Account/", StringComparison.Ordinal)))
        {
            var compiled = await loader.LoadAsync(page.Descriptor, page.Metadata);
            foreach (var handler in compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase)))
            {
                var name = handler.Name ?? "";
                var path = name.Length == 0 ? page.Path : $"{page.Path}?handler={name}";
                var required = RoleTable.ForPageHandler(page.ViewPath, name);
                walked.Add(path);
                foreach (var role in Roles)
                {
                    using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = tokens[role] });
                    using var response = await fixture.Session(role).PostAsync(path, form, ct);
                    Judge(failures, $"POST {path}", role, required, response, antiforgeryChecked: true);
                }
            }
        }

        Assert.Contains("/Assets/Index?handler=Delete", walked);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static void Judge(List<string> failures, string what, RequiredRole role, RequiredRole required, HttpResponseMessage response, bool antiforgeryChecked)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        var denied = response.StatusCode == HttpStatusCode.Forbidden
            || (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/Denied", StringComparison.Ordinal));
        var signedOut = response.StatusCode == HttpStatusCode.Redirect && location.Contains("/login", StringComparison.Ordinal);
        if (role < required && !denied)
        {
            failures.Add($"{what} as {role}: expected to be refused (needs {required}), got {(int)response.StatusCode} {location}");
        }
        else if (role >= required && (denied || signedOut))
        {
            failures.Add($"{what} as {role}: expected to be let in, got {(int)response.StatusCode} {location}");
        }
        else if (role >= required && antiforgeryChecked && response.StatusCode == HttpStatusCode.BadRequest)
        {
            // A 400 here is the antiforgery check refusing the form: the handler never ran.
            failures.Add($"{what} as {role}: 400, the form was refused before its handler ran");
        }
    }

    private IReadOnlyList<ApiOperation> ApiOperations() =>
        [.. Endpoints()
            .Where(e => ("/" + e.RoutePattern.RawText?.TrimStart('/')).StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new ApiOperation(m, "/" + e.RoutePattern.RawText!.TrimStart('/'), Fill(e.RoutePattern))))
            .DistinctBy(o => (o.Method, o.Template))];

    private IReadOnlyList<PageEndpoint> Pages() =>
        [.. Endpoints()
            .Select(e => (Endpoint: e, Descriptor: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(p => p.Descriptor is not null)
            .GroupBy(p => p.Descriptor!.ViewEnginePath)
            .Select(g => g.First())
            .Select(p => new PageEndpoint(
                p.Descriptor!.ViewEnginePath,
                p.Descriptor.ViewEnginePath,
                p.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                p.Descriptor,
                p.Endpoint.Metadata))];

    private IEnumerable<RouteEndpoint> Endpoints() =>
        fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    /// <summary>A path for the pattern, with ids that match no stored thing.</summary>
    private static string Fill(RoutePattern pattern) =>
        "/" + RouteParameter().Replace(pattern.RawText!.TrimStart('/'), m =>
            m.Groups["constraint"].Value switch
            {
                "long" or "int" => "987654321",
                "guid" => "00000000-0000-0000-0000-000000000001",
                _ => "no-such-thing",
            });

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z0-9_]+)(:(?<constraint>[A-Za-z]+)[^}]*)?\??\}")]
    private static partial Regex RouteParameter();

    private sealed record ApiOperation(string Method, string Template, string Path)
    {
        public HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Method is not ("GET" or "HEAD" or "DELETE"))
            {
                request.Content = new StringContent("{}", Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            return request;
        }

        public override string ToString() => $"{Method} {Template}";
    }

    private sealed record PageEndpoint(string ViewPath, string Path, bool Anonymous, PageActionDescriptor Descriptor, EndpointMetadataCollection Metadata);
}

using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// Routing answers an unknown path, a wrong method or a wrong content type with a bare status code; under /api this
/// turns them into problem+json that says what the address does take.
/// </summary>
public sealed class StatusProblems(RequestDelegate next, EndpointDataSource endpoints, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext http)
    {
        await next(http);
        var response = http.Response;
        if (response.HasStarted || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType)
            || response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed or StatusCodes.Status415UnsupportedMediaType))
        {
            return;
        }

        var request = http.Request;
        var call = $"{request.Method} {request.Path}";
        var (title, detail) = response.StatusCode switch
        {
            StatusCodes.Status404NotFound when http.GetEndpoint() is RouteEndpoint => ("Not found", $"{call} found nothing: there is no such item."),
            StatusCodes.Status404NotFound => ("Not found", $"There is no API call at {call}. The calls are listed in /openapi/v1.json."),
            StatusCodes.Status405MethodNotAllowed => ("Method not allowed",
                $"{call} is not a call: {request.Path} answers {Join(Allowed(request.Path))}. The calls are listed in /openapi/v1.json."),
            _ => ("Unsupported content type",
                $"{call} takes Content-Type {Join(Accepted(request.Path, request.Method))}, not '{request.ContentType ?? "(none)"}'."),
        };
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = response.StatusCode, Title = title, Detail = detail },
        });
    }

    private static string Join(IEnumerable<string> items)
    {
        var list = items.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "nothing" : list.Count == 1 ? list[0] : $"{string.Join(", ", list[..^1])} or {list[^1]}";
    }

    private IEnumerable<string> Allowed(PathString path) =>
        Matching(path).SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []);

    private IEnumerable<string> Accepted(PathString path, string method) =>
        Matching(path)
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) ?? true)
            .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? []);

    /// <summary>The endpoints whose route template fits the path, whatever their method or content type.</summary>
    private IEnumerable<RouteEndpoint> Matching(PathString path) =>
        endpoints.Endpoints.OfType<RouteEndpoint>().Where(e =>
            new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()));
}

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// Headers on every answer (pages, static files, /api, errors) that tell the browser what the app never does:
/// run inline script, load anything from elsewhere, be framed, or be read as another content type.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts and styles only from the app's own files (wwwroot/js, wwwroot/css): injected markup
    /// can neither run script nor restyle the page (no inline script, no <c>style</c> elements or
    /// attributes; pages use classes from site.css, the sweep's progress is a native &lt;progress&gt;).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'none'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>
    /// Links out (delisting forms, list operators' pages) must not tell a third party the app's
    /// address or which incident someone was looking at; the app itself never reads Referer.
    /// </summary>
    public const string ReferrerPolicy = "no-referrer";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Set when the headers go out, not now: the exception handler clears the response's
            // headers before it writes its problem+json, and that answer needs them too.
            context.Response.OnStarting(static state =>
            {
                Apply(((HttpResponse)state).Headers);
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });

    private static void Apply(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = ReferrerPolicy;

        // frame-ancestors for browsers that read CSP; X-Frame-Options for those that do not.
        headers.XFrameOptions = "DENY";
    }
}

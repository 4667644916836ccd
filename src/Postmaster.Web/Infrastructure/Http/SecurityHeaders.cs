namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// Headers on every answer (pages, static files, /api, errors) that tell the browser what the app never does:
/// run inline script, load anything from elsewhere, be framed, or be read as another content type.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from the app's own files (wwwroot/js), so injected markup cannot run script.
    /// Styles: files from the app, and <c>style="…"</c> attributes on elements, which several pages still
    /// use for one-off layout (a progress bar's width is computed per request). An attribute can only
    /// restyle its own element and cannot load anything from elsewhere (default-src 'self'), so allowing
    /// them costs little; <c>&lt;style&gt;</c> elements stay forbidden (style-src-elem). Browsers without
    /// CSP level 3 read style-src, hence its 'unsafe-inline'. Move the attributes to classes in site.css
    /// and drop both 'unsafe-inline' to make styles strict too.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "style-src-elem 'self'; " +
        "style-src-attr 'unsafe-inline'; " +
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

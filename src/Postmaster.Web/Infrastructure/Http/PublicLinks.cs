namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// Links that leave the app (alert mail, webhooks, requests) start with <c>Postmaster:PublicUrl</c>,
/// the address people use; a request's own Host is never trusted for that. Without it the links
/// stay relative.
/// </summary>
public sealed class PublicLinks
{
    public const string Key = "Postmaster:PublicUrl";

    public PublicLinks(IConfiguration configuration)
    {
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new InvalidOperationException($"{Key} must be the absolute http or https address people use to reach the app (https://postmaster.example.com), not '{text}'.");
        }

        Base = uri.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The configured address without a trailing slash; null when none is set.</summary>
    public string? Base { get; }

    /// <summary>The link to a path of the app (<c>/incidents/12</c>).</summary>
    public string For(string path) => Base is null ? path : Base + "/" + path.TrimStart('/');
}

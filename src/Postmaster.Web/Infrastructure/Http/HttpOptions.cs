using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>Binds <c>Postmaster:Http</c>: how the app sits behind a reverse proxy.</summary>
public sealed class HttpOptions
{
    public const string Section = "Postmaster:Http";

    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) and CIDR networks (<c>172.28.0.0/24</c>) of the reverse proxies whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. Empty: every such header is ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>Stops start-up on an entry that is neither an address nor a network, naming it.</summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        _ = TrustedProxies.Parse(options.TrustedProxies, out var errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

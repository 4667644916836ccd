namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>Claims of Postmaster's own, beside the standard name and role.</summary>
public static class AuthClaims
{
    /// <summary>Who acts, as the audit trail names them: <c>key:&lt;name&gt;</c> for API keys.</summary>
    public const string Actor = "postmaster:actor";

    /// <summary>The time zone a person chose for pages (an IANA name); absent: the installation's.</summary>
    public const string TimeZone = "postmaster:tz";
}

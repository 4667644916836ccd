namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>Binds <c>Postmaster:Auth</c>: how often sessions are re-checked, how fast sign-ins may come.</summary>
public sealed class AuthOptions
{
    public const string Section = "Postmaster:Auth";

    /// <summary>
    /// How old a session cookie's check may be before the user is looked up again: a removed user,
    /// or one whose role or password changed, is signed out within this time.
    /// </summary>
    public double SessionCheckSeconds { get; set; } = 60;

    /// <summary>Sign-in attempts one client address may make per minute; more answer 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;
}

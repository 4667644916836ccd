namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>Binds <c>Postmaster:Bootstrap</c>: used only while the database has no users.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Postmaster:Bootstrap";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public string? ApiKey { get; set; }
}

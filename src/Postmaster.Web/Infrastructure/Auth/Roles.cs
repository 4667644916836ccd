namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>The three roles: admins manage people and keys, responders work incidents, viewers read.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Responder = "Responder";
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Responder, Viewer];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>The lower of two roles: an API key acts with at most its owner's current role.</summary>
    public static string Lower(string a, string b) => Rank(a) <= Rank(b) ? a : b;

    /// <summary>The higher of two roles: a person with several roles has the most of them.</summary>
    public static string Higher(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    // Viewer < Responder < Admin; an unknown role ranks below them all.
    private static int Rank(string role) => role switch
    {
        Admin => 3,
        Responder => 2,
        Viewer => 1,
        _ => 0,
    };
}

public static class Policies
{
    /// <summary>Change the inventory, start sweeps, work incidents: admins and responders.</summary>
    public const string CanEdit = "CanEdit";

    /// <summary>Manage users and API keys.</summary>
    public const string AdminOnly = "AdminOnly";

    /// <summary>Any valid API key, for the JSON API.</summary>
    public const string Api = "Api";
}

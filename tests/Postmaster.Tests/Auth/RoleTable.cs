namespace Postmaster.Tests.Auth;

/// <summary>The least role each operation needs, as PRODUCT.md's role table says.</summary>
public enum RequiredRole
{
    Viewer,
    Responder,
    Admin,
}

/// <summary>
/// PRODUCT.md's "Who may do what", written once as rules over paths and methods, so that an
/// endpoint or page added later is judged without editing the test: a read needs a Viewer, a
/// write a Responder, and the admin features (users and roles, API keys, the organisation
/// profile, global alert settings and test alerts, the blocklist catalog, the audit trail) an
/// Admin. A new admin-only feature must be named here on purpose: otherwise the test expects a
/// Responder to be let in, and fails.
/// </summary>
public static class RoleTable
{
    private static readonly string[] AdminApiPrefixes =
    [
        "/api/audit", "/api/users", "/api/keys", "/api/api-keys", "/api/organisation", "/api/alerts/test",
        "/api/alerts/settings", "/api/settings",
    ];

    // Admin for writes only: everyone reads the catalog.
    private static readonly string[] AdminWritePrefixes = ["/api/blocklists"];

    // POSTs that compute an answer and store nothing: reading, for the role table.
    private static readonly string[] ReadsByPost = ["/api/signals/classify"];

    public static RequiredRole ForApi(string method, string path)
    {
        if (AdminApiPrefixes.Any(p => Under(path, p)))
        {
            return RequiredRole.Admin;
        }

        if (IsRead(method) || ReadsByPost.Any(p => Under(path, p)))
        {
            return RequiredRole.Viewer;
        }

        return AdminWritePrefixes.Any(p => Under(path, p)) ? RequiredRole.Admin : RequiredRole.Responder;
    }

    /// <summary>A page (its view path, e.g. <c>/Settings/Users</c>) opened with GET.</summary>
    public static RequiredRole ForPage(string viewPath) =>
        viewPath.StartsWith("/Settings/", StringComparison.Ordinal) || viewPath == "/Blocklists/Edit"
            ? RequiredRole.Admin
            : RequiredRole.Viewer;

    /// <summary>A page's POST handler (<paramref name="handler"/> empty for the page's own OnPost).</summary>
    public static RequiredRole ForPageHandler(string viewPath, string handler) => (viewPath, handler) switch
    {
        ("/Signals/Try", _) => RequiredRole.Viewer, // classifies a pasted reply, stores nothing
        ("/Blocklists/Lookup", _) => RequiredRole.Viewer, // asks the lists, stores nothing
        ("/Blocklists/Index", "Sweep") => RequiredRole.Responder,
        ("/Blocklists/Index", _) => RequiredRole.Admin, // the catalog: add, enable, disable
        ("/Incidents/Details", "Change") => RequiredRole.Responder, // state, assignee, severity, note
        _ => ForPage(viewPath) == RequiredRole.Admin ? RequiredRole.Admin : RequiredRole.Responder,
    };

    private static bool IsRead(string method) => method is "GET" or "HEAD";

    private static bool Under(string path, string prefix) =>
        path.Equals(prefix, StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);
}

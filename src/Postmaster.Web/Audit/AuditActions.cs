using Postmaster.Web.Blocklists;

namespace Postmaster.Web.Audit;

/// <summary>The names of what the audit trail records, as stored and served.</summary>
public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
    public const string SignInFailed = "sign-in-failed";
    public const string UserCreated = "user-created";
    public const string UserRemoved = "user-removed";
    public const string RoleChanged = "role-changed";
    public const string PasswordChanged = "password-changed";
    public const string PasswordReset = "password-reset";
    public const string ApiKeyCreated = "api-key-created";
    public const string ApiKeyRevoked = "api-key-revoked";
    public const string AssetAdded = "asset-added";
    public const string AssetsAdded = "assets-added";
    public const string AssetRemoved = "asset-removed";
    public const string BlocklistAdded = "blocklist-added";
    public const string BlocklistChanged = "blocklist-changed";
    public const string BlocklistEnabled = "blocklist-enabled";
    public const string BlocklistDisabled = "blocklist-disabled";
    public const string SweepStarted = "sweep-started";
    public const string IncidentOpened = "incident-opened";
    public const string IncidentReopened = "incident-reopened";
    public const string IncidentResolved = "incident-resolved";
    public const string IncidentChanged = "incident-changed";
    public const string OrganisationChanged = "organisation-changed";
    public const string RequestDrafted = "request-drafted";
    public const string RequestChanged = "request-changed";
    public const string RequestSent = "request-sent";

    /// <summary>Enabling or disabling is its own action; any other change is "changed".</summary>
    public static string For(BlocklistPatch patch) => patch.Enabled switch
    {
        true when !patch.ChangesFacts && patch.Key is null && patch.MaxQueriesPerSecond is null => BlocklistEnabled,
        false when !patch.ChangesFacts && patch.Key is null && patch.MaxQueriesPerSecond is null => BlocklistDisabled,
        _ => BlocklistChanged,
    };

    /// <summary>Which fields changed, never their values: a DQS key is a secret.</summary>
    public static string Describe(BlocklistPatch patch)
    {
        var fields = new List<string>();
        Add(patch.Enabled is not null, patch.Enabled == true ? "enabled" : "disabled");
        Add(patch.Key is not null, "key");
        Add(patch.MaxQueriesPerSecond is not null, "maxQueriesPerSecond");
        Add(patch.Name is not null, "name");
        Add(patch.Codes is not null, "codes");
        Add(patch.ErrorCodes is not null, "errorCodes");
        Add(patch.DelistUrl is not null, "delistUrl");
        Add(patch.UndocumentedCodes is not null, "undocumentedCodes");
        Add(patch.Ipv6 is not null, "ipv6");
        return string.Join(", ", fields);

        void Add(bool changed, string name)
        {
            if (changed)
            {
                fields.Add(name);
            }
        }
    }
}

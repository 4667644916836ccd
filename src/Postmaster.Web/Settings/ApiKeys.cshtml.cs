using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Settings;

public sealed class ApiKeysModel(
    PostmasterDbContext db, UserManager<PostmasterUser> users, AuditTrail audit, TimeProvider time, ILogger<ApiKeysModel> log) : PageModel
{
    public sealed record KeyRow(ApiKey Key, string? OwnerEmail);

    public IReadOnlyList<KeyRow> Keys { get; private set; } = [];

    public string? NewSecret { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? role, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            Error = "Give the key a name of 1 to 100 characters, such as the host that will use it.";
        }
        else if (!Roles.IsKnown(role))
        {
            Error = $"Pick a role: {string.Join(", ", Roles.All)}.";
        }
        else
        {
            var secret = ApiKeySecret.Generate();
            db.ApiKeys.Add(new ApiKey
            {
                Name = name,
                Prefix = ApiKeySecret.PrefixOf(secret),
                Hash = ApiKeySecret.Hash(secret),
                Role = role!,
                CreatedAt = time.GetUtcNow(),
                CreatedBy = User.Identity?.Name,

                // The creator owns the key: it acts with at most their role, and stops with them.
                OwnerId = users.GetUserId(User),
            });
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(AuditActions.ApiKeyCreated, name, role, ct);
            log.LogInformation("API key {KeyName} created by {User}", name, User.Identity?.Name);
            NewSecret = secret;
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var reason = $"This API key was revoked by {User.Identity?.Name} ({now.UtcDateTime:yyyy-MM-dd HH:mm} UTC); an admin can create a new one under Settings → API keys.";
        var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedReason, reason), ct);
        if (revoked > 0)
        {
            var name = await db.ApiKeys.Where(k => k.Id == id).Select(k => k.Name).SingleAsync(ct);
            await audit.RecordAsync(AuditActions.ApiKeyRevoked, name, null, ct);
        }

        log.LogInformation("API key {KeyId} revoked by {User}", id, User.Identity?.Name);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Keys = await db.ApiKeys.AsNoTracking()
            .OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Name)
            .Select(k => new KeyRow(k, db.Users.Where(u => u.Id == k.OwnerId).Select(u => u.Email).FirstOrDefault()))
            .ToListAsync(ct);
}

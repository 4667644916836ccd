using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Settings;

public sealed class ApiKeysModel(PostmasterDbContext db, TimeProvider time, ILogger<ApiKeysModel> log) : PageModel
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

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
            });
            await db.SaveChangesAsync(ct);
            log.LogInformation("API key {KeyName} created by {User}", name, User.Identity?.Name);
            NewSecret = secret;
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        log.LogInformation("API key {KeyId} revoked by {User}", id, User.Identity?.Name);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Name).ToListAsync(ct);
}

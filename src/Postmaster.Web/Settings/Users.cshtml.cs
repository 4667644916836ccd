using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Settings;

/// <summary>
/// Admins add and remove people, change their role and reset their password. Each change gives the
/// person a new security stamp, so their open sessions end at the next check (AuthOptions).
/// </summary>
public sealed class UsersModel(UserManager<PostmasterUser> users, PostmasterDbContext db, AuditTrail audit, TimeProvider time) : PageModel
{
    public sealed record UserRow(string Id, string? Email, string Role, DateTimeOffset CreatedAt);

    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(string? email, string? password, string? role, CancellationToken ct)
    {
        if (!Roles.IsKnown(role))
        {
            Say($"Pick a role: {string.Join(", ", Roles.All)}.", error: true);
        }
        else
        {
            var user = new PostmasterUser { UserName = email?.Trim(), Email = email?.Trim(), EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, password ?? "");
            if (created.Succeeded)
            {
                await users.AddToRoleAsync(user, role!);
                await audit.RecordAsync(AuditActions.UserCreated, user.Email, role, ct);
                Say($"Created {user.Email} as {role}.");
            }
            else
            {
                Say(Errors(created), error: true);
            }
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken ct)
    {
        if (await OtherUserAsync(id) is { } user)
        {
            // The keys stop with their owner, and say why; one transaction, so neither half is left.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var revoked = await ApiKeyOwners.RevokeForRemovalAsync(db, user, time.GetUtcNow(), ct);
            var deleted = await users.DeleteAsync(user);
            if (deleted.Succeeded)
            {
                await audit.RecordAsync(AuditActions.UserRemoved, user.Email, revoked > 0 ? $"{revoked} API keys revoked" : null, ct);
                await transaction.CommitAsync(ct);
                Say(revoked > 0 ? $"Removed {user.Email} and revoked their {revoked} API keys." : $"Removed {user.Email}.");
            }
            else
            {
                Say(Errors(deleted), error: true);
            }
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRoleAsync(string id, string? role, CancellationToken ct)
    {
        if (!Roles.IsKnown(role))
        {
            Say($"Pick a role: {string.Join(", ", Roles.All)}.", error: true);
        }
        else if (await OtherUserAsync(id) is { } user)
        {
            var old = await users.GetRolesAsync(user);
            if (!(old.Count == 1 && old[0] == role))
            {
                await users.RemoveFromRolesAsync(user, old);
                await users.AddToRoleAsync(user, role!);

                // Roles in a cookie are a copy: a new stamp makes the person sign in again.
                await users.UpdateSecurityStampAsync(user);
                await audit.RecordAsync(AuditActions.RoleChanged, user.Email, $"{string.Join(", ", old)} → {role}", ct);
            }

            Say($"{user.Email} is now {role}; their API keys act as {role} at most.");
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostPasswordAsync(string id, string? password, CancellationToken ct)
    {
        if (await OtherUserAsync(id) is { } user)
        {
            // Resetting changes the security stamp: the person's open sessions end.
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var reset = await users.ResetPasswordAsync(user, token, password ?? "");
            if (reset.Succeeded)
            {
                await audit.RecordAsync(AuditActions.PasswordReset, user.Email, null, ct);
                Say($"Set a new password for {user.Email}; tell them through a channel you trust. Their sessions end within a minute.");
            }
            else
            {
                Say(Errors(reset), error: true);
            }
        }

        await LoadAsync();
        return Page();
    }

    // Admins change others, never themselves: so there is always an admin left to undo a mistake.
    private async Task<PostmasterUser?> OtherUserAsync(string id)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            Say("That user no longer exists.", error: true);
            return null;
        }

        if (user.Id == users.GetUserId(User))
        {
            Say("Change your own password under your name at the top right; your role and account are changed by another admin.", error: true);
            return null;
        }

        return user;
    }

    private void Say(string message, bool error = false) => (Message, MessageIsError) = (message, error);

    private static string Errors(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    private async Task LoadAsync()
    {
        var rows = new List<UserRow>();
        foreach (var user in await users.Users.OrderBy(u => u.Email).ToListAsync())
        {
            var roles = await users.GetRolesAsync(user);
            rows.Add(new UserRow(user.Id, user.Email, roles.FirstOrDefault() ?? "none", user.CreatedAt));
        }

        Users = rows;
    }
}

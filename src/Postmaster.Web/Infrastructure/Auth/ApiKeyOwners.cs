using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>Keys belong to people: they stop with their owner, and keys from before owners get one.</summary>
public static class ApiKeyOwners
{
    /// <summary>Revokes a user's keys, saying why, before the user is removed.</summary>
    public static Task<int> RevokeForRemovalAsync(PostmasterDbContext db, PostmasterUser owner, DateTimeOffset now, CancellationToken ct)
    {
        var reason = $"This API key stopped working when its owner, {owner.Email}, was removed ({now.UtcDateTime:yyyy-MM-dd HH:mm} UTC). Ask an admin for a new key.";
        return db.ApiKeys.Where(k => k.OwnerId == owner.Id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.RevokedReason, reason), ct);
    }

    /// <summary>
    /// Keys without an owner (the bootstrap key, keys from before owners whose creator is gone)
    /// belong to the bootstrap admin: the configured one, or else the first admin created.
    /// </summary>
    public static async Task<int> AdoptOrphansAsync(PostmasterDbContext db, string? bootstrapEmail, CancellationToken ct)
    {
        if (!await db.ApiKeys.AnyAsync(k => k.OwnerId == null && k.RevokedAt == null, ct))
        {
            return 0;
        }

        var normalized = bootstrapEmail?.Trim().ToUpperInvariant();
        var admins = db.UserRoles.Join(db.Roles.Where(r => r.Name == Roles.Admin), ur => ur.RoleId, r => r.Id, (ur, _) => ur.UserId);
        var owner = await db.Users.Where(u => admins.Contains(u.Id))
            .OrderBy(u => u.NormalizedEmail == normalized ? 0 : 1).ThenBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => u.Id)
            .FirstOrDefaultAsync(ct);
        if (owner is null)
        {
            return 0; // nobody to own them yet: they answer 401 until the first admin exists
        }

        return await db.ApiKeys.Where(k => k.OwnerId == null && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.OwnerId, owner), ct);
    }
}

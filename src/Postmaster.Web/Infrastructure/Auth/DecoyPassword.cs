using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// A password hash that matches nothing, checked when someone signs in with an unknown email, so
/// that unknown and known emails cost the same hashing work and cannot be told apart by time.
/// </summary>
public sealed class DecoyPassword(IPasswordHasher<PostmasterUser> hasher)
{
    private static readonly PostmasterUser Nobody = new();

    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    public void Check(string password) => hasher.VerifyHashedPassword(Nobody, _hash.Value, password);
}

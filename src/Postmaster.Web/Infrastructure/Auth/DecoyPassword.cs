using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// A password hash that matches nothing, checked when someone signs in with an unknown email, so
/// that unknown and known emails cost the same hashing work and cannot be told apart by time.
/// </summary>
/// <remarks>
/// A singleton, so the decoy is hashed once; Identity registers its hasher as scoped, so this keeps a
/// hasher of its own with the same options (the same algorithm and iteration count as real users).
/// </remarks>
public sealed class DecoyPassword(IOptions<PasswordHasherOptions> options)
{
    private static readonly PostmasterUser Nobody = new();

    private readonly PasswordHasher<PostmasterUser> _hasher = new(options);

    private string? _hash;

    public void Check(string password)
    {
        // Hashed on first use (a race only hashes twice): start-up does not pay for it.
        _hash ??= _hasher.HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        _hasher.VerifyHashedPassword(Nobody, _hash, password);
    }
}

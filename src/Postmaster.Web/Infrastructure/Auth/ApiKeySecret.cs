using System.Security.Cryptography;
using System.Text;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// Key secrets are 256 random bits, so a plain SHA-256 is enough to store them: there is nothing
/// to brute-force that a slow password hash would protect.
/// </summary>
public static class ApiKeySecret
{
    public const string Marker = "pm_";
    public const int PrefixLength = 10;

    public static string Generate() =>
        Marker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string PrefixOf(string secret) => secret.Length <= PrefixLength ? secret : secret[..PrefixLength];
}

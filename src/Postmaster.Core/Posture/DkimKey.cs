using System.Security.Cryptography;

namespace Postmaster.Core.Posture;

/// <summary>A DKIM public key record (RFC 6376 §3.6.1): its algorithm and size, whether it is revoked or in test mode.</summary>
public sealed record DkimKey(string Algorithm, int Bits, bool Revoked, bool Testing)
{
    /// <summary>Parses the TXT record at <c>selector._domainkey.domain</c>; the error says why it is no usable key.</summary>
    public static (DkimKey? Key, string? Error) Parse(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                tags.TryAdd(part[..equals].Trim(), part[(equals + 1)..]);
            }
        }

        if (tags.TryGetValue("v", out var version) && !version.Trim().Equals("DKIM1", StringComparison.Ordinal))
        {
            return (null, $"v={PostureText.Bound(version.Trim(), 20)} is not DKIM1");
        }

        if (!tags.TryGetValue("p", out var p))
        {
            return (null, "it has no p= key");
        }

        var algorithm = tags.TryGetValue("k", out var k) ? k.Trim().ToLowerInvariant() : "rsa";
        var testing = tags.TryGetValue("t", out var flags) && flags.Split(':').Any(f => f.Trim().Equals("y", StringComparison.OrdinalIgnoreCase));
        var base64 = string.Concat(p.Where(c => !char.IsWhiteSpace(c)));
        if (base64.Length == 0)
        {
            return (new DkimKey(algorithm, 0, Revoked: true, testing), null); // RFC 6376 §3.6.1: an empty p= revokes the key
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return (null, "its p= is not valid base64");
        }

        if (algorithm == "ed25519")
        {
            // RFC 8463 §4.2: the raw 32-byte public key.
            return bytes.Length == 32 ? (new DkimKey("ed25519", 256, false, testing), null) : (null, $"its ed25519 key is {bytes.Length} bytes, not 32");
        }

        if (algorithm != "rsa")
        {
            return (null, $"k={PostureText.Bound(algorithm, 20)} is not a DKIM key type (rsa, ed25519)");
        }

        return RsaBits(bytes) is { } bits ? (new DkimKey("rsa", bits, false, testing), null) : (null, "its p= is not an RSA public key");
    }

    /// <summary>RFC 6376 says SubjectPublicKeyInfo; some publish the bare RSAPublicKey (PKCS#1), which verifiers accept too.</summary>
    private static int? RsaBits(byte[] bytes)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(bytes, out _);
            return rsa.KeySize;
        }
        catch (CryptographicException)
        {
        }

        try
        {
            rsa.ImportRSAPublicKey(bytes, out _);
            return rsa.KeySize;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

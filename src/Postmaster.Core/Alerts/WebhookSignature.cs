using System.Security.Cryptography;
using System.Text;

namespace Postmaster.Core.Alerts;

/// <summary>
/// PRODUCT.md's webhook signature: HMAC-SHA256 keyed with the target's secret over the exact body
/// bytes, sent as <c>X-Postmaster-Signature: sha256=&lt;lowercase hex&gt;</c> (the form GitHub's
/// webhooks use, so receivers' existing verifiers fit).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Postmaster-Signature";
    public const string DeliveryHeader = "X-Postmaster-Delivery";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Checks a signature in constant time (for receivers, and the tests that play one).</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}

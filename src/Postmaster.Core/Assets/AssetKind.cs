namespace Postmaster.Core.Assets;

/// <summary>What an inventory entry is: the thing a blocklist or a receiver judges.</summary>
public enum AssetKind
{
    /// <summary>A single IPv4 or IPv6 sending address.</summary>
    Ip,

    /// <summary>An IPv4 CIDR range of sending addresses (/16 at most).</summary>
    Range,

    /// <summary>A sending domain (the RFC 5322 From or the envelope sender's domain).</summary>
    Domain,

    /// <summary>The name the MTA announces in EHLO/HELO.</summary>
    Helo,
}

using System.Net;
using System.Net.Sockets;

namespace Postmaster.Core.Assets;

/// <summary>A validated, canonical asset value: what the inventory stores and the sweeps query.</summary>
public sealed record AssetValue(AssetKind Kind, string Value)
{
    /// <summary>How many addresses the asset stands for (1 for an address, 2^(32-n) for a range, 0 for names).</summary>
    public long AddressCount => Kind switch
    {
        AssetKind.Ip => 1,
        AssetKind.Range => 1L << (32 - IPNetwork.Parse(Value).PrefixLength),
        _ => 0,
    };

    /// <summary>The range as a network, or the address as a /32 or /128 network; null for names.</summary>
    public IPNetwork? Network => Kind switch
    {
        AssetKind.Range => IPNetwork.Parse(Value),
        AssetKind.Ip => IPAddress.Parse(Value) is var a
            ? new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : null,
        _ => null,
    };

    /// <summary>The IP addresses of the asset, in order; empty for names.</summary>
    public IEnumerable<IPAddress> Addresses() => Addresses(0, AddressCount);

    /// <summary>A window of the asset's addresses, so a sweep chunk can take its share of a range without walking it.</summary>
    public IEnumerable<IPAddress> Addresses(long offset, long count)
    {
        if (Kind == AssetKind.Ip)
        {
            if (offset == 0 && count > 0)
            {
                yield return IPAddress.Parse(Value);
            }

            yield break;
        }

        if (Kind != AssetKind.Range)
        {
            yield break;
        }

        var first = Ipv4.ToUInt32(IPNetwork.Parse(Value).BaseAddress);
        var end = Math.Min(AddressCount, offset + count);
        for (var i = offset; i < end; i++)
        {
            yield return Ipv4.FromUInt32((uint)(first + i));
        }
    }

    public override string ToString() => Value;

    /// <summary>
    /// Parses what a person typed or an API client sent. The kind is inferred from the value unless
    /// <paramref name="requestedKind"/> says otherwise (only a host name can be a HELO name).
    /// </summary>
    public static AssetParseResult Parse(string? input, AssetKind? requestedKind = null) =>
        AssetValueParser.Parse(input, requestedKind);
}

/// <summary>Either a value or the sentence that tells a person why their input was refused.</summary>
public readonly record struct AssetParseResult(AssetValue? Asset, string? Error)
{
    public bool Succeeded => Asset is not null;

    public static AssetParseResult Ok(AssetValue value) => new(value, null);

    public static AssetParseResult Fail(string error) => new(null, error);
}

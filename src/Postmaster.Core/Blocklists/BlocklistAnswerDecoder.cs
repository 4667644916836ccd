using System.Net;

namespace Postmaster.Core.Blocklists;

/// <summary>
/// Reads a DNSBL answer the way the list documents it. The rules that keep people from being woken
/// by false listings live here: timeouts and DNS errors are unknown, documented error codes (Spamhaus
/// 127.255.255.254 "public resolver", URIBL 127.0.0.1 "refused") are unknown and flag the resolver,
/// and answers outside 127.0.0.0/8 (a lapsed zone's wildcard, as SpamCop's in January 2021) are unknown.
/// </summary>
public static class BlocklistAnswerDecoder
{
    private static readonly ReturnCode Undocumented = new("undocumented", "medium", "Answer not in the list's documentation");

    public static BlocklistVerdict Decode(BlocklistDefinition list, BlocklistAnswer answer)
    {
        switch (answer.Status)
        {
            case LookupStatus.NotFound:
                return BlocklistVerdict.NotListed;
            case LookupStatus.Timeout:
                return BlocklistVerdict.Unknown("No answer before the timeout.");
            case LookupStatus.ServerFailure:
                return BlocklistVerdict.Unknown("The resolver answered SERVFAIL.");
            case LookupStatus.Refused:
                return BlocklistVerdict.Unknown("The resolver answered REFUSED.", resolverRefused: true);
            case LookupStatus.OtherError:
                return BlocklistVerdict.Unknown(answer.Detail ?? "DNS error.");
        }

        if (answer.Addresses.Count == 0)
        {
            return BlocklistVerdict.NotListed;
        }

        foreach (var address in answer.Addresses)
        {
            var bytes = address.GetAddressBytes();
            if (bytes.Length != 4 || bytes[0] != 127)
            {
                return BlocklistVerdict.Unknown(
                    $"Answer {address} is outside 127.0.0.0/8: the zone may have lapsed or been parked, so it is not trusted.",
                    answer.Addresses);
            }

            if (list.ErrorCodes.TryGetValue(address, out var error))
            {
                return BlocklistVerdict.Unknown($"Error code {address}: {error}", answer.Addresses, resolverRefused: true);
            }
        }

        var meanings = new List<ReturnCode>();
        var undocumented = false;
        foreach (var address in answer.Addresses)
        {
            if (list.Bitmask)
            {
                undocumented |= DecodeBits(list, address, meanings);
            }
            else if (list.Codes.TryGetValue(address, out var code))
            {
                meanings.Add(code);
            }
            else
            {
                undocumented = true;
            }
        }

        if (undocumented && list.UndocumentedCodes == UndocumentedCodePolicy.Listed)
        {
            meanings.Add(Undocumented);
        }

        if (meanings.Any(m => m.Listed))
        {
            return new BlocklistVerdict(ListingOutcome.Listed, answer.Addresses, meanings.Where(m => m.Listed).Distinct().ToList());
        }

        return undocumented
            ? BlocklistVerdict.Unknown($"Answer {string.Join(", ", answer.Addresses)} is not documented by {list.Name}.", answer.Addresses)
            : new BlocklistVerdict(ListingOutcome.NotListed, answer.Addresses, meanings);
    }

    /// <summary>Adds the meaning of every set bit of the last octet; true when a bit is undocumented.</summary>
    private static bool DecodeBits(BlocklistDefinition list, IPAddress address, List<ReturnCode> meanings)
    {
        var octet = address.GetAddressBytes()[3];
        var undocumented = octet == 0;
        for (var bit = 1; bit <= 128; bit <<= 1)
        {
            if ((octet & bit) == 0)
            {
                continue;
            }

            if (list.Codes.TryGetValue(new IPAddress([127, 0, 0, (byte)bit]), out var code))
            {
                meanings.Add(code);
            }
            else
            {
                undocumented = true;
            }
        }

        return undocumented;
    }
}

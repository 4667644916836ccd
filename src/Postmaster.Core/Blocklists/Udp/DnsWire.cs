using System.Buffers.Binary;
using System.Net;
using DnsClient;

namespace Postmaster.Core.Blocklists.Udp;

/// <summary>
/// The small part of the DNS wire format (RFC 1035 §4) a pipelined sweep needs: an A query with
/// recursion desired, and the header, echoed question and A records of its answer. Names in the
/// answer section are read with DnsClient's own <see cref="DnsDatagramReader"/> (compression
/// pointers included); only negative answers, the bulk of a sweep, never get that far.
/// </summary>
public static class DnsWire
{
    public const int HeaderLength = 12;

    /// <summary>Large enough for any query name (255 octets) plus header and question trailer.</summary>
    public const int MaxQueryLength = HeaderLength + 256 + 4;

    private const ushort TypeA = 1;
    private const ushort ClassIn = 1;

    /// <summary>
    /// Writes an A/IN query for <paramref name="name"/> (absolute or not) and returns its length,
    /// or 0 when the name cannot be sent (empty label, label over 63 octets, name over 255, not ASCII).
    /// </summary>
    public static int WriteQuery(Span<byte> packet, ushort id, ReadOnlySpan<char> name)
    {
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        if (name.IsEmpty || name.Length > 253 || packet.Length < MaxQueryLength)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet, id);
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], 0x0100); // standard query, recursion desired
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], 1);      // one question
        packet[6..HeaderLength].Clear();

        var at = HeaderLength;
        foreach (var range in name.Split('.'))
        {
            var label = name[range];
            if (label.IsEmpty || label.Length > 63)
            {
                return 0;
            }

            packet[at++] = (byte)label.Length;
            foreach (var c in label)
            {
                if (c is <= ' ' or > '~')
                {
                    return 0;
                }

                packet[at++] = (byte)char.ToLowerInvariant(c);
            }
        }

        packet[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet[at..], TypeA);
        BinaryPrimitives.WriteUInt16BigEndian(packet[(at + 2)..], ClassIn);
        return at + 4;
    }

    public static ushort IdOf(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet);

    /// <summary>
    /// Reads a response to <paramref name="query"/>: it must be a response, echo the same single
    /// question (ASCII case ignored), and be complete. Null means "not an answer to this query":
    /// the caller keeps waiting, as a stub resolver ignores a stray or forged datagram.
    /// </summary>
    public static DnsReply? ReadReply(byte[] packet, int length, ReadOnlySpan<byte> query)
    {
        var span = packet.AsSpan(0, length);
        if (length < query.Length || (span[2] & 0x80) == 0 || IdOf(span) != IdOf(query)
            || BinaryPrimitives.ReadUInt16BigEndian(span[4..]) != 1
            || !System.Text.Ascii.EqualsIgnoreCase(span[HeaderLength..query.Length], query[HeaderLength..]))
        {
            return null;
        }

        var truncated = (span[2] & 0x02) != 0;
        var code = span[3] & 0x0f;
        var answers = BinaryPrimitives.ReadUInt16BigEndian(span[6..]);
        if (code == 3 && !truncated)
        {
            return DnsReply.NameError;
        }

        if (truncated || code != 0 || answers == 0)
        {
            return new DnsReply(code, truncated, []);
        }

        try
        {
            var reader = new DnsDatagramReader(new ArraySegment<byte>(packet, 0, length), query.Length);
            var addresses = new List<IPAddress>(answers);
            for (var i = 0; i < answers; i++)
            {
                reader.ReadDnsName();
                var type = reader.ReadUInt16NetworkOrder();
                var @class = reader.ReadUInt16NetworkOrder();
                reader.ReadUInt32NetworkOrder(); // TTL: never cached here
                var dataLength = reader.ReadUInt16NetworkOrder();
                if (type == TypeA && @class == ClassIn && dataLength == 4)
                {
                    addresses.Add(reader.ReadIPAddress());
                }
                else
                {
                    reader.Advance(dataLength); // CNAME on the way, or an RRSIG
                }
            }

            return new DnsReply(code, false, addresses);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or DnsResponseParseException)
        {
            return null; // cut short or malformed: as good as lost, so the query times out or is retried
        }
    }
}

/// <summary>The parts of a DNS response a DNSBL verdict needs.</summary>
public sealed record DnsReply(int ResponseCode, bool Truncated, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>NXDOMAIN, the answer to most of a sweep's queries: one shared instance, nothing to collect.</summary>
    public static DnsReply NameError { get; } = new(3, false, []);

    public BlocklistAnswer ToAnswer() => ResponseCode switch
    {
        0 when Addresses.Count == 0 => BlocklistAnswer.NotFound,
        0 => new BlocklistAnswer(LookupStatus.Answered, Addresses),
        3 => BlocklistAnswer.NotFound,
        2 => new BlocklistAnswer(LookupStatus.ServerFailure, []),
        5 => new BlocklistAnswer(LookupStatus.Refused, []),
        var code => new BlocklistAnswer(LookupStatus.OtherError, [], $"The resolver answered RCODE {code}."),
    };
}

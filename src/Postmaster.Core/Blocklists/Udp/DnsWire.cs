using System.Buffers.Binary;
using System.Net;
using DnsClient;

namespace Postmaster.Core.Blocklists.Udp;

/// <summary>The record types a DNSBL is asked for: A (listed, and how) and TXT (why).</summary>
public enum DnsType : ushort
{
    A = 1,
    Txt = 16,
}

/// <summary>
/// The small part of the DNS wire format (RFC 1035 §4) a pipelined sweep needs: an A or TXT query
/// with recursion desired, and the header, echoed question and A or TXT records of its answer. Names
/// in the answer section are read with DnsClient's own <see cref="DnsDatagramReader"/> (compression
/// pointers included); only negative answers, the bulk of a sweep, never get that far.
/// </summary>
public static class DnsWire
{
    public const int HeaderLength = 12;

    /// <summary>Large enough for any query name (255 octets) plus header and question trailer.</summary>
    public const int MaxQueryLength = HeaderLength + 256 + 4;

    private const ushort ClassIn = 1;

    /// <summary>
    /// Writes an A/IN (or <paramref name="type"/>/IN) query for <paramref name="name"/> (absolute or not)
    /// and returns its length, or 0 when the name cannot be sent (empty label, label over 63 octets,
    /// name over 255, not ASCII).
    /// </summary>
    public static int WriteQuery(Span<byte> packet, ushort id, ReadOnlySpan<char> name, DnsType type = DnsType.A)
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
        var rest = name;
        while (true)
        {
            // Labels by hand rather than with MemoryExtensions.Split: this runs for every query, and
            // the generic splitter is not precompiled (tier-0 code for most of a first sweep).
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
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

            if (dot < 0)
            {
                break;
            }

            rest = rest[(dot + 1)..];
        }

        packet[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet[at..], (ushort)type);
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

        var asked = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(query[^4..]);
        try
        {
            var reader = new DnsDatagramReader(new ArraySegment<byte>(packet, 0, length), query.Length);
            var addresses = new List<IPAddress>(asked == DnsType.A ? answers : 0);
            List<string>? texts = asked == DnsType.Txt ? [] : null;
            for (var i = 0; i < answers; i++)
            {
                reader.ReadDnsName();
                var type = (DnsType)reader.ReadUInt16NetworkOrder();
                var @class = reader.ReadUInt16NetworkOrder();
                reader.ReadUInt32NetworkOrder(); // TTL: never cached here
                var dataLength = reader.ReadUInt16NetworkOrder();
                if (type != asked || @class != ClassIn)
                {
                    reader.Advance(dataLength); // CNAME on the way, or an RRSIG
                }
                else if (type == DnsType.A && dataLength == 4)
                {
                    addresses.Add(reader.ReadIPAddress());
                }
                else if (type == DnsType.Txt)
                {
                    if (ReadCharacterStrings(packet, reader.Index, dataLength, length) is not { } strings)
                    {
                        return null;
                    }

                    texts!.AddRange(strings);
                    reader.Advance(dataLength);
                }
                else
                {
                    reader.Advance(dataLength);
                }
            }

            return new DnsReply(code, false, addresses, texts);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or DnsResponseParseException)
        {
            return null; // cut short or malformed: as good as lost, so the query times out or is retried
        }
    }

    /// <summary>
    /// The &lt;character-string&gt;s of one TXT record (RFC 1035 §3.3.14): a length octet, then that
    /// many octets, read as UTF-8 (invalid sequences replaced). The caller sanitises and bounds them.
    /// Null when a string runs past its record or the record past the datagram.
    /// </summary>
    private static List<string>? ReadCharacterStrings(byte[] packet, int start, int dataLength, int length)
    {
        var end = start + dataLength;
        if (end > length)
        {
            return null;
        }

        var strings = new List<string>();
        for (var at = start; at < end;)
        {
            var size = packet[at++];
            if (at + size > end)
            {
                return null;
            }

            strings.Add(System.Text.Encoding.UTF8.GetString(packet, at, size));
            at += size;
        }

        return strings;
    }
}

/// <summary>The parts of a DNS response a DNSBL verdict needs; <see cref="Texts"/> for a TXT question only.</summary>
public sealed record DnsReply(int ResponseCode, bool Truncated, IReadOnlyList<IPAddress> Addresses, IReadOnlyList<string>? Texts = null)
{
    /// <summary>NXDOMAIN, the answer to most of a sweep's queries: one shared instance, nothing to collect.</summary>
    public static DnsReply NameError { get; } = new(3, false, []);

    public BlocklistAnswer ToAnswer() => ResponseCode switch
    {
        0 when Texts is { Count: > 0 } => new BlocklistAnswer(LookupStatus.Answered, [], Texts: Texts),
        0 when Addresses.Count == 0 => BlocklistAnswer.NotFound,
        0 => new BlocklistAnswer(LookupStatus.Answered, Addresses),
        3 => BlocklistAnswer.NotFound,
        2 => new BlocklistAnswer(LookupStatus.ServerFailure, []),
        5 => new BlocklistAnswer(LookupStatus.Refused, []),
        var code => new BlocklistAnswer(LookupStatus.OtherError, [], $"The resolver answered RCODE {code}."),
    };
}

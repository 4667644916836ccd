using System.Net;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Blocklists.Udp;

namespace Postmaster.Tests.Blocklists.Udp;

public class DnsWireTests
{
    [Fact]
    public void A_query_is_an_rfc_1035_question_with_recursion_desired()
    {
        var packet = new byte[DnsWire.MaxQueryLength];

        var length = DnsWire.WriteQuery(packet, 0xBEEF, "2.0.0.127.Zen.Spamhaus.org.");

        byte[] expected =
        [
            0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            1, (byte)'2', 1, (byte)'0', 1, (byte)'0', 3, (byte)'1', (byte)'2', (byte)'7',
            3, (byte)'z', (byte)'e', (byte)'n', 8, .. "spamhaus"u8, 3, (byte)'o', (byte)'r', (byte)'g', 0,
            0, 1, 0, 1,
        ];
        Assert.Equal(expected, packet[..length]);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..example.")]
    [InlineData("bad name.example.")]
    [InlineData("café.example.")]
    public void Names_that_cannot_be_sent_are_refused(string name) =>
        Assert.Equal(0, DnsWire.WriteQuery(new byte[DnsWire.MaxQueryLength], 1, name));

    [Fact]
    public void Labels_over_63_octets_and_names_over_253_are_refused()
    {
        var packet = new byte[DnsWire.MaxQueryLength];
        Assert.Equal(0, DnsWire.WriteQuery(packet, 1, new string('a', 64) + ".example."));
        Assert.Equal(0, DnsWire.WriteQuery(packet, 1, string.Join('.', Enumerable.Repeat(new string('a', 60), 5))));
        Assert.NotEqual(0, DnsWire.WriteQuery(packet, 1, new string('a', 63) + ".example."));
    }

    [Fact]
    public void Every_a_record_of_an_answer_is_read_through_name_compression()
    {
        var (query, queryLength) = Query(7, "2.0.0.127.bl.test.");
        var response = Response(query, queryLength, rcode: 0, [127, 0, 0, 2], [127, 0, 0, 10]);

        var reply = DnsWire.ReadReply(response, response.Length, query.AsSpan(0, queryLength));

        Assert.NotNull(reply);
        Assert.Equal([IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.10")], reply.Addresses);
        Assert.Equal(LookupStatus.Answered, reply.ToAnswer().Status);
    }

    [Fact]
    public void Nxdomain_refused_and_servfail_read_as_such()
    {
        var (query, length) = Query(9, "1.0.0.127.bl.test.");
        Assert.Equal(LookupStatus.NotFound, Read(query, length, Response(query, length, rcode: 3)).ToAnswer().Status);
        Assert.Equal(LookupStatus.ServerFailure, Read(query, length, Response(query, length, rcode: 2)).ToAnswer().Status);
        Assert.Equal(LookupStatus.Refused, Read(query, length, Response(query, length, rcode: 5)).ToAnswer().Status);
    }

    [Fact]
    public void An_answer_to_another_question_or_id_is_not_an_answer()
    {
        var (query, length) = Query(11, "2.0.0.127.bl.test.");
        var (other, otherLength) = Query(11, "3.0.0.127.bl.test.");
        var forged = Response(other, otherLength, rcode: 0, [127, 0, 0, 2]);
        Assert.Null(DnsWire.ReadReply(forged, forged.Length, query.AsSpan(0, length)));

        var wrongId = Response(query, length, rcode: 0, [127, 0, 0, 2]);
        wrongId[1] ^= 0xFF;
        Assert.Null(DnsWire.ReadReply(wrongId, wrongId.Length, query.AsSpan(0, length)));

        var notAResponse = Response(query, length, rcode: 0, [127, 0, 0, 2]);
        notAResponse[2] &= 0x7F;
        Assert.Null(DnsWire.ReadReply(notAResponse, notAResponse.Length, query.AsSpan(0, length)));
    }

    [Fact]
    public void An_answer_cut_short_is_not_an_answer_and_does_not_throw()
    {
        var (query, length) = Query(12, "2.0.0.127.bl.test.");
        var response = Response(query, length, rcode: 0, [127, 0, 0, 2], [127, 0, 0, 3]);
        for (var cut = 0; cut < response.Length; cut++)
        {
            var reply = DnsWire.ReadReply(response, cut, query.AsSpan(0, length));
            Assert.True(reply is null || reply.Addresses.Count < 2, $"cut at {cut}");
        }
    }

    [Fact]
    public void A_truncated_answer_says_so()
    {
        var (query, length) = Query(13, "2.0.0.127.bl.test.");
        var response = Response(query, length, rcode: 0);
        response[2] |= 0x02;

        Assert.True(Read(query, length, response).Truncated);
    }

    [Fact]
    public void A_txt_query_asks_for_type_16()
    {
        var packet = new byte[DnsWire.MaxQueryLength];

        var length = DnsWire.WriteQuery(packet, 1, "2.0.0.127.bl.test.", DnsType.Txt);

        Assert.Equal([0, 16, 0, 1], packet[(length - 4)..length]);
    }

    [Fact]
    public void Every_string_of_every_txt_record_is_read_and_a_records_beside_them_are_not()
    {
        var (query, length) = TxtQuery(21, "2.0.0.127.bl.test.");
        var response = TxtResponse(query, length, [["Listed by ", "bl.test"], ["see https://bl.test/"]], [127, 0, 0, 2]);

        var reply = Read(query, length, response);

        Assert.Equal(["Listed by ", "bl.test", "see https://bl.test/"], reply.Texts);
        Assert.Empty(reply.Addresses);
        var answer = reply.ToAnswer();
        Assert.Equal(LookupStatus.Answered, answer.Status);
        Assert.Equal("Listed by  bl.test see https://bl.test/", DnsblResolver.Reason(answer));
    }

    [Fact]
    public void Control_characters_in_a_reason_are_blanked_and_its_length_bounded()
    {
        var (query, length) = TxtQuery(22, "2.0.0.127.bl.test.");
        var hostile = "\u001b[31mred\r\nX-Injected: yes" + new string('a', 200);
        var response = TxtResponse(query, length, [[hostile, new string('b', 250), new string('c', 250)]]);

        var reason = DnsblResolver.Reason(Read(query, length, response).ToAnswer());

        Assert.NotNull(reason);
        Assert.DoesNotContain(reason, char.IsControl);
        Assert.StartsWith("[31mred  X-Injected: yes", reason, StringComparison.Ordinal);
        Assert.InRange(reason.Length, DnsblResolver.MaxTxtLength - 1, DnsblResolver.MaxTxtLength); // 600 characters sent; the blanked ESC is trimmed
    }

    [Fact]
    public void A_txt_string_running_past_its_record_is_not_an_answer()
    {
        var (query, length) = TxtQuery(23, "2.0.0.127.bl.test.");
        var response = TxtResponse(query, length, [["listed"]]);
        response[^7] = 200; // the string's length octet now claims more than the record holds

        Assert.Null(DnsWire.ReadReply(response, response.Length, query.AsSpan(0, length)));
        for (var cut = length; cut < response.Length; cut++)
        {
            Assert.Null(DnsWire.ReadReply(response, cut, query.AsSpan(0, length)));
        }
    }

    private static (byte[] Query, int Length) TxtQuery(ushort id, string name)
    {
        var packet = new byte[DnsWire.MaxQueryLength];
        return (packet, DnsWire.WriteQuery(packet, id, name, DnsType.Txt));
    }

    /// <summary>A response to a TXT question: one TXT record per string list (owner: a pointer to the question), then any A records.</summary>
    private static byte[] TxtResponse(byte[] query, int queryLength, string[][] records, params byte[][] addresses)
    {
        var bytes = new List<byte>(query[..queryLength]);
        bytes[2] = 0x81;
        bytes[3] = 0x80;
        bytes[6] = 0;
        bytes[7] = (byte)(records.Length + addresses.Length);
        foreach (var address in addresses)
        {
            bytes.AddRange([0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, .. address]);
        }

        foreach (var strings in records)
        {
            var data = strings.SelectMany(t => (byte[])[(byte)System.Text.Encoding.UTF8.GetByteCount(t), .. System.Text.Encoding.UTF8.GetBytes(t)]).ToArray();
            bytes.AddRange([0xC0, 12, 0, 16, 0, 1, 0, 0, 0x0e, 0x10, (byte)(data.Length >> 8), (byte)data.Length, .. data]);
        }

        return [.. bytes];
    }

    private static DnsReply Read(byte[] query, int length, byte[] response) =>
        DnsWire.ReadReply(response, response.Length, query.AsSpan(0, length)) ?? throw new InvalidOperationException("not read");

    private static (byte[] Query, int Length) Query(ushort id, string name)
    {
        var packet = new byte[DnsWire.MaxQueryLength];
        return (packet, DnsWire.WriteQuery(packet, id, name));
    }

    /// <summary>A response echoing the question, with A records whose owner is a pointer to the question name (offset 12).</summary>
    internal static byte[] Response(byte[] query, int queryLength, int rcode, params byte[][] addresses)
    {
        var bytes = new List<byte>(query[..queryLength]);
        bytes[2] = 0x81;
        bytes[3] = (byte)(0x80 | rcode);
        bytes[6] = 0;
        bytes[7] = (byte)addresses.Length;
        foreach (var address in addresses)
        {
            bytes.AddRange([0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, .. address]);
        }

        return [.. bytes];
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Postmaster.Core.Signals.Probes;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>Without a configured MX the probe asks DNS for the recipient domain's: here a one-shot DNS server on 127.0.0.1.</summary>
public class MxLookupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_most_preferred_MX_is_chosen()
    {
        using var dns = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var answering = AnswerOnceAsync(dns, [(20, "mx2.example.test"), (10, "mx1.example.test"), (30, "mx3.example.test")]);

        var (host, error) = await Lookup(dns).FirstMxAsync("example.test", Ct);

        Assert.Equal(("mx1.example.test", null), (host, error));
        Assert.Equal("example.test", await answering);
    }

    [Fact]
    public async Task A_domain_without_MX_is_an_error_not_a_guess()
    {
        using var dns = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var answering = AnswerOnceAsync(dns, []);

        var (host, error) = await Lookup(dns).FirstMxAsync("example.test", Ct);

        Assert.Null(host);
        Assert.Equal("example.test has no MX record", error);
        await answering;
    }

    private static MxLookup Lookup(UdpClient dns) => new([(IPEndPoint)dns.Client.LocalEndPoint!], TimeSpan.FromSeconds(2), retries: 0);

    /// <summary>Answers one MX query with the given records; returns the name asked for.</summary>
    private static async Task<string> AnswerOnceAsync(UdpClient dns, (ushort Preference, string Exchange)[] records)
    {
        var query = await dns.ReceiveAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var request = query.Buffer;

        // The question: labels from offset 12 to the root label, then type and class.
        var end = 12;
        var name = new StringBuilder();
        while (request[end] != 0)
        {
            name.Append(name.Length > 0 ? "." : "").Append(Encoding.ASCII.GetString(request, end + 1, request[end]));
            end += request[end] + 1;
        }

        end += 5;
        using var response = new MemoryStream();
        response.Write(request, 0, 2); // id
        response.Write([0x81, 0x80, 0, 1]); // a recursive answer, no error; one question
        response.Write([0, (byte)records.Length, 0, 0, 0, 0]);
        response.Write(request, 12, end - 12);
        foreach (var (preference, exchange) in records)
        {
            var rdata = new MemoryStream();
            var pref = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(pref, preference);
            rdata.Write(pref);
            foreach (var label in exchange.Split('.'))
            {
                rdata.WriteByte((byte)label.Length);
                rdata.Write(Encoding.ASCII.GetBytes(label));
            }

            rdata.WriteByte(0);
            response.Write([0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, (byte)rdata.Length]); // name → the question; MX, IN, TTL 60
            response.Write(rdata.ToArray());
        }

        await dns.SendAsync(response.ToArray(), query.RemoteEndPoint, Ct);
        return name.ToString();
    }
}

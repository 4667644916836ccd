using System.Net;
using Postmaster.Core.Posture;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Posture;

/// <summary>
/// One dnsmasq for the posture tests, serving example.test and its reverse zones, with slow.test
/// handed to a server that never answers. The records are the stories the tests tell: an include
/// chain, a redirect, 11 includes, three void lookups, a PTR that does not confirm, keys of two sizes.
/// </summary>
public sealed class PostureDnsFixture : IAsyncLifetime
{
    public static readonly string SmallKey = PostureChecksTests.RsaKey(512);
    public static readonly string GoodKey = PostureChecksTests.RsaKey(2048);

    private readonly UnresponsiveDnsServer _silent = new();
    private DnsmasqServer? _server;

    public IPEndPoint EndPoint => Server.EndPoint;

    public DnsmasqServer Server
    {
        get
        {
            Requirement.Require(DnsmasqServer.UnavailableReason);
            return _server ?? throw new InvalidOperationException("Not started.");
        }
    }

    /// <summary>A resolver as the app builds it, pointed at dnsmasq, with a short timeout.</summary>
    public IPostureDns NewSession() => new PostureResolver([EndPoint], TimeSpan.FromMilliseconds(500), retries: 0).NewSession();

    public static DnsmasqZone Zone(IPEndPoint silent)
    {
        var zone = new DnsmasqZone()
            .Local("example.test").Local("2.0.192.in-addr.arpa").Local("100.51.198.in-addr.arpa")
            .Forward("slow.test", silent)

            // Addresses: .10 confirms, .20 names a host that resolves elsewhere, .30 has no PTR.
            .Host("mail.example.test", "192.0.2.10").Reverse("192.0.2.10", "mail.example.test")
            .Reverse("192.0.2.20", "other.example.test").Host("other.example.test", "198.51.100.7")
            .Host("www.example.test", "192.0.2.80").Host("example.test", "127.0.0.1")
            .Mx("example.test", "mail.example.test", 10)

            // SPF: an include chain and a redirect.
            .Txt("example.test", "v=spf1 include:_spf.example.test -all")
            .Txt("_spf.example.test", "v=spf1 include:_net.example.test ~all")
            .Txt("_net.example.test", "v=spf1 ip4:192.0.2.0/28 ~all")
            .Txt("redirect.example.test", "v=spf1 ip4:198.51.100.99 redirect=example.test")
            .Txt("void.example.test", "v=spf1 a:nx1.example.test a:nx2.example.test mx:nx3.example.test ip4:192.0.2.10 -all")
            .Txt("soft.example.test", "v=spf1 ip4:198.51.100.0/24 ~all")
            .Txt("hard.example.test", "v=spf1 ip4:198.51.100.0/24 -all")
            .Txt("neutral.example.test", "v=spf1 ip4:198.51.100.0/24 ?all")
            .Txt("slowinc.example.test", "v=spf1 include:spf.slow.test -all")
            .Txt("limit.example.test", "v=spf1 " + string.Join(' ', Enumerable.Range(1, 11).Select(i => $"include:i{i}.example.test")) + " ip4:192.0.2.10 -all")

            // DMARC for example.test only; DKIM keys of two sizes, the long one in two strings.
            .Txt("_dmarc.example.test", "v=DMARC1; p=reject; rua=mailto:dmarc@example.test")
            .Local("nodmarc.test").Txt("nodmarc.test", "v=spf1 ip4:192.0.2.10 -all")
            .Txt("small._domainkey.example.test", $"v=DKIM1; k=rsa; p={SmallKey}")
            .Txt("good._domainkey.example.test", $"v=DKIM1; k=rsa; p={GoodKey[..200]}", GoodKey[200..]);
        for (var i = 1; i <= 11; i++)
        {
            zone.Txt($"i{i}.example.test", "v=spf1 -all");
        }

        return zone;
    }

    public async ValueTask InitializeAsync()
    {
        if (DnsmasqServer.UnavailableReason is not null)
        {
            return; // each test then skips (or fails in CI) with the reason
        }

        _server = await DnsmasqServer.StartAsync(Zone(_silent.EndPoint));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _silent.Dispose();
    }
}

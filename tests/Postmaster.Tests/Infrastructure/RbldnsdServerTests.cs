using System.Diagnostics;
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// The rbldnsd fixture answers the shapes of DNSBL replies the checks must handle. Each test starts
/// its own server (tens of milliseconds) with just the zones it is about, so the zone data doubles as
/// an example of rbldnsd's format for that case.
/// </summary>
public class RbldnsdServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ip4set_answers_a_specific_code_and_txt_and_the_default_for_the_rest_of_a_range()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("zen.test", RbldnsdZoneType.Ip4Set, """
                :127.0.0.2:Listed, see https://example.test/lookup?ip=$
                192.0.2.0/24
                192.0.2.7 :127.0.0.4:Exploited host
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        var specific = await client.QueryAsync("7.2.0.192.zen.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NoError, specific.Header.ResponseCode);
        Assert.Equal(["127.0.0.4"], Addresses(specific));
        var specificText = await client.QueryAsync("7.2.0.192.zen.test", QueryType.TXT, cancellationToken: Ct);
        Assert.Equal(["Exploited host"], Texts(specificText));

        var inRange = await client.QueryAsync("8.2.0.192.zen.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(["127.0.0.2"], Addresses(inRange));
        var inRangeText = await client.QueryAsync("8.2.0.192.zen.test", QueryType.TXT, cancellationToken: Ct);
        Assert.Equal(["Listed, see https://example.test/lookup?ip=192.0.2.8"], Texts(inRangeText)); // $ is the queried IP
    }

    [Fact]
    public async Task Two_datasets_for_one_zone_answer_several_a_records_for_one_name()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("zen.test", RbldnsdZoneType.Ip4Set, "192.0.2.9 :127.0.0.2:Spam source\n"),
            new("zen.test", RbldnsdZoneType.Ip4Set, "192.0.2.9 :127.0.0.4:Exploited host\n"),
        ], Ct);
        var client = Client(server.EndPoint);

        var a = await client.QueryAsync("9.2.0.192.zen.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(["127.0.0.2", "127.0.0.4"], Addresses(a));
        var txt = await client.QueryAsync("9.2.0.192.zen.test", QueryType.TXT, cancellationToken: Ct);
        Assert.Equal(["Exploited host", "Spam source"], Texts(txt));
    }

    [Fact]
    public async Task One_ip4set_listing_an_address_twice_answers_both_values()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("zen.test", RbldnsdZoneType.Ip4Set, """
                192.0.2.9 :127.0.0.2:Spam source
                192.0.2.9 :127.0.0.4:Exploited host
                """),
        ], Ct);

        var a = await Client(server.EndPoint).QueryAsync("9.2.0.192.zen.test", QueryType.A, cancellationToken: Ct);

        Assert.Equal(["127.0.0.2", "127.0.0.4"], Addresses(a));
    }

    [Fact]
    public async Task Generic_dataset_answers_several_a_records_and_a_txt_for_one_name()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("multi.test", RbldnsdZoneType.Generic, """
                9.2.0.192 A 127.0.0.2
                9.2.0.192 A 127.0.0.10
                9.2.0.192 TXT "Listed twice"
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        var a = await client.QueryAsync("9.2.0.192.multi.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(["127.0.0.10", "127.0.0.2"], Addresses(a));
        var txt = await client.QueryAsync("9.2.0.192.multi.test", QueryType.TXT, cancellationToken: Ct);
        Assert.Equal(["Listed twice"], Texts(txt));
    }

    [Fact]
    public async Task Ip6trie_answers_the_nibble_reversed_name_of_an_ipv6_address()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("v6.test", RbldnsdZoneType.Ip6Trie, """
                :127.0.0.3:IPv6 $ listed
                2001:db8::1
                2001:db8:aaaa::/48 :127.0.0.9:Whole /48
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        var name = NibbleReversed("2001:db8::1") + ".v6.test";
        Assert.Equal("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.v6.test", name);
        Assert.Equal(["127.0.0.3"], Addresses(await client.QueryAsync(name, QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["IPv6 2001:db8::1 listed"], Texts(await client.QueryAsync(name, QueryType.TXT, cancellationToken: Ct)));

        var inRange = await client.QueryAsync(NibbleReversed("2001:db8:aaaa:1::25") + ".v6.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(["127.0.0.9"], Addresses(inRange));

        var notListed = await client.QueryAsync(NibbleReversed("2001:db8::2") + ".v6.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, notListed.Header.ResponseCode);
    }

    [Fact]
    public async Task Ip6tset_lists_whole_64s()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("v6.test", RbldnsdZoneType.Ip6Tset, """
                :127.0.0.3:IPv6 /64 listed
                2001:db8:1:2
                """),
        ], Ct);

        var a = await Client(server.EndPoint).QueryAsync(NibbleReversed("2001:db8:1:2::99") + ".v6.test", QueryType.A, cancellationToken: Ct);

        Assert.Equal(["127.0.0.3"], Addresses(a));
    }

    [Fact]
    public async Task Dnset_lists_domains_and_with_a_leading_dot_their_subdomains()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("dbl.test", RbldnsdZoneType.DnSet, """
                :127.0.1.2:Domain $ is a spam domain
                example.com
                .spam.example
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        var listed = await client.QueryAsync("example.com.dbl.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(["127.0.1.2"], Addresses(listed));
        Assert.Equal(["Domain example.com is a spam domain"], Texts(await client.QueryAsync("example.com.dbl.test", QueryType.TXT, cancellationToken: Ct)));
        Assert.Equal(["127.0.1.2"], Addresses(await client.QueryAsync("spam.example.dbl.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["127.0.1.2"], Addresses(await client.QueryAsync("www.spam.example.dbl.test", QueryType.A, cancellationToken: Ct)));

        var subdomainOfPlainEntry = await client.QueryAsync("www.example.com.dbl.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, subdomainOfPlainEntry.Header.ResponseCode);
    }

    [Fact]
    public async Task Ip4trie_zero_slash_zero_answers_an_error_code_for_every_ip()
    {
        // Like Spamhaus ZEN answering a query that came through a public resolver.
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("zen.test", RbldnsdZoneType.Ip4Trie, """
                :127.255.255.254:Query via public resolver refused
                0.0.0.0/0
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        Assert.Equal(["127.255.255.254"], Addresses(await client.QueryAsync("7.2.0.192.zen.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["127.255.255.254"], Addresses(await client.QueryAsync("2.0.0.127.zen.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["Query via public resolver refused"], Texts(await client.QueryAsync("7.2.0.192.zen.test", QueryType.TXT, cancellationToken: Ct)));
    }

    [Fact]
    public async Task An_acl_answers_an_error_code_for_every_name_in_a_domain_zone()
    {
        // Like Spamhaus DBL answering a query that came through a public resolver: the answer is by
        // requester, so it covers every name, listed or not.
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("dbl.test", RbldnsdZoneType.DnSet, "example.com :127.0.1.2:Listed\n"),
            new("dbl.test", RbldnsdZoneType.Acl, "0.0.0.0/0 :127.255.255.254:Query via public resolver refused\n"),
        ], Ct);
        var client = Client(server.EndPoint);

        Assert.Equal(["127.255.255.254"], Addresses(await client.QueryAsync("example.com.dbl.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["127.255.255.254"], Addresses(await client.QueryAsync("not-listed.example.dbl.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["Query via public resolver refused"], Texts(await client.QueryAsync("example.com.dbl.test", QueryType.TXT, cancellationToken: Ct)));
    }

    [Fact]
    public async Task An_acl_answers_an_address_outside_127_for_every_name()
    {
        // Like an expired DNSBL domain whose new owner answers a wildcard pointing at a parking page.
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("parked.test", RbldnsdZoneType.DnSet, ""),
            new("parked.test", RbldnsdZoneType.Acl, "0.0.0.0/0 :192.0.2.1:\n"),
        ], Ct);
        var client = Client(server.EndPoint);

        Assert.Equal(["192.0.2.1"], Addresses(await client.QueryAsync("7.2.0.192.parked.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["192.0.2.1"], Addresses(await client.QueryAsync("example.com.parked.test", QueryType.A, cancellationToken: Ct)));
        Assert.Empty(Texts(await client.QueryAsync("example.com.parked.test", QueryType.TXT, cancellationToken: Ct))); // a trailing ':' means no TXT
    }

    [Fact]
    public async Task Dnset_wildcards_under_a_tld_answer_an_address_outside_127()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("parked.test", RbldnsdZoneType.DnSet, """
                :192.0.2.1:Parked
                *.com
                """),
        ], Ct);
        var client = Client(server.EndPoint);

        Assert.Equal(["192.0.2.1"], Addresses(await client.QueryAsync("example.com.parked.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["192.0.2.1"], Addresses(await client.QueryAsync("www.example.com.parked.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync("example.org.parked.test", QueryType.A, cancellationToken: Ct)).Header.ResponseCode);
    }

    [Fact]
    public async Task A_name_not_listed_is_nxdomain_and_several_zones_share_one_server()
    {
        await using var server = await RbldnsdServer.StartAsync(
        [
            new("zen.test", RbldnsdZoneType.Ip4Tset, ":127.0.0.2:Listed\n192.0.2.7\n"),
            new("dbl.test", RbldnsdZoneType.DnSet, "example.com :127.0.1.2:Listed\n"),
        ], Ct);
        var client = Client(server.EndPoint);

        Assert.Equal(["127.0.0.2"], Addresses(await client.QueryAsync("7.2.0.192.zen.test", QueryType.A, cancellationToken: Ct)));
        Assert.Equal(["127.0.1.2"], Addresses(await client.QueryAsync("example.com.dbl.test", QueryType.A, cancellationToken: Ct)));

        var ip = await client.QueryAsync("8.2.0.192.zen.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, ip.Header.ResponseCode);
        Assert.Empty(ip.Answers);
        var domain = await client.QueryAsync("example.org.dbl.test", QueryType.A, cancellationToken: Ct);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, domain.Header.ResponseCode);
    }

    [Fact]
    public async Task Zone_data_rbldnsd_warns_about_fails_the_start()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RbldnsdServer.StartAsync(
            [new("zen.test", RbldnsdZoneType.Ip4Set, "192.0.2.300\n")], Ct));

        Assert.Contains("invalid address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_kills_the_server_and_deletes_its_files()
    {
        var server = await RbldnsdServer.StartAsync([new("zen.test", RbldnsdZoneType.Ip4Set, "192.0.2.7\n")], Ct);
        var pid = server.ProcessId;
        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        Assert.True(Directory.Exists($"/proc/{pid}"));

        await server.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"));
        var query = await Assert.ThrowsAsync<DnsResponseException>(() =>
            Client(server.EndPoint, TimeSpan.FromMilliseconds(300)).QueryAsync("7.2.0.192.zen.test", QueryType.A, cancellationToken: Ct));
        Assert.Equal(DnsResponseCode.ConnectionTimeout, query.Code);
    }

    [Fact]
    public async Task Unresponsive_server_makes_queries_time_out()
    {
        using var server = new UnresponsiveDnsServer();
        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DnsResponseException>(() =>
            Client(server.EndPoint, TimeSpan.FromMilliseconds(300)).QueryAsync("7.2.0.192.zen.test", QueryType.A, cancellationToken: Ct));

        Assert.Equal(DnsResponseCode.ConnectionTimeout, error.Code);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    private static LookupClient Client(IPEndPoint endPoint, TimeSpan? timeout = null) =>
        new(new LookupClientOptions(new NameServer(endPoint))
        {
            UseCache = false,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
            Retries = 0,
            ThrowDnsErrors = false,
        });

    private static List<string> Addresses(IDnsQueryResponse response) =>
        [.. response.Answers.ARecords().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];

    private static List<string> Texts(IDnsQueryResponse response) =>
        [.. response.Answers.TxtRecords().Select(t => string.Concat(t.Text)).Order(StringComparer.Ordinal)];

    /// <summary>RFC 5782 §2.4: the 32 nibbles of the address, least significant first, dot-separated.</summary>
    private static string NibbleReversed(string ipv6)
    {
        var bytes = IPAddress.Parse(ipv6).GetAddressBytes();
        return string.Join('.', bytes.Reverse().SelectMany(b => new[] { b & 0xF, b >> 4 }).Select(n => n.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
    }
}

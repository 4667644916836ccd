using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postmaster.Core.Posture;

/// <summary>What one HTTP fetch of a website or MTA-STS policy got.</summary>
public sealed record WebsiteAnswer(Uri Address, int? StatusCode, string? Body, string? Error, bool DnsFailed = false)
{
    public bool Succeeded => StatusCode is >= 200 and < 300 && Body is not null;
}

/// <summary>Where a <see cref="WebsiteProbe"/> may connect: tests point it at loopback ports; the app never does.</summary>
public sealed record WebsiteProbeOptions
{
    /// <summary>Only for tests: allow loopback and private targets, which the app refuses (a PTR name is set by others).</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>Only for tests: connect here instead of port 80.</summary>
    public int? HttpPort { get; init; }

    /// <summary>Only for tests: connect here instead of port 443.</summary>
    public int? HttpsPort { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Fetches a page for the website and MTA-STS checks. Names are resolved through the posture DNS
/// (the configured resolvers, not the system's), and only public addresses are connected to: the
/// names come from PTR and MX records that others control, so a record pointing at 127.0.0.1 or
/// 10.0.0.5 must not make the app fetch from its own network. Bodies are read up to 256 KB.
/// </summary>
public sealed class WebsiteProbe(WebsiteProbeOptions options)
{
    public const int MaxBody = 256 * 1024;

    private const int MaxRedirects = 5;

    /// <summary>GETs the address, following up to 5 redirects when <paramref name="followRedirects"/> (MTA-STS forbids them, RFC 8461 §3.3).</summary>
    public async Task<WebsiteAnswer> GetAsync(Uri address, IPostureDns dns, bool followRedirects, CancellationToken cancellationToken)
    {
        var dnsFailed = false;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            ConnectCallback = async (context, ct) =>
            {
                var (socket, failed) = await ConnectAsync(context.DnsEndPoint, dns, ct);
                dnsFailed |= failed;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = options.Timeout };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Postmaster-posture/1.0");

        var current = address;
        for (var hop = 0; ; hop++)
        {
            try
            {
                using var response = await client.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (!followRedirects)
                    {
                        return new WebsiteAnswer(current, status, null, $"{current} redirects to {PostureText.Bound(location.ToString(), 120)}, and MTA-STS policies must not (RFC 8461 §3.3)");
                    }

                    if (hop >= MaxRedirects)
                    {
                        return new WebsiteAnswer(current, status, null, $"more than {MaxRedirects} redirects from {address}");
                    }

                    var next = new Uri(current, location);
                    if (next.Scheme is not ("http" or "https"))
                    {
                        return new WebsiteAnswer(current, status, null, $"{current} redirects to a {next.Scheme}: address");
                    }

                    current = next;
                    continue;
                }

                var body = await ReadBoundedAsync(response.Content, cancellationToken);
                return new WebsiteAnswer(current, status, body, status is >= 200 and < 300 ? null : $"{current} answered HTTP {status}");
            }
            catch (HttpRequestException e)
            {
                return new WebsiteAnswer(current, null, null, $"{current} could not be reached: {PostureText.Bound(Innermost(e).Message, 160)}", dnsFailed);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new WebsiteAnswer(current, null, null, $"{current} did not answer within {options.Timeout.TotalSeconds:0} s");
            }
        }
    }

    private async Task<(Socket Socket, bool DnsFailed)> ConnectAsync(DnsEndPoint endpoint, IPostureDns dns, CancellationToken ct)
    {
        var port = endpoint.Port switch
        {
            80 when options.HttpPort is { } http => http,
            443 when options.HttpsPort is { } https => https,
            var p => p,
        };

        var addresses = new List<IPAddress>();
        var failed = false;
        if (IPAddress.TryParse(endpoint.Host, out var literal))
        {
            addresses.Add(literal);
        }
        else
        {
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                var answer = await dns.AddressesAsync(endpoint.Host, family, ct);
                failed |= answer.Status == DnsAnswerStatus.Failed;
                addresses.AddRange(answer.Records);
            }
        }

        var allowed = addresses.Where(a => options.AllowPrivateTargets || IsPublic(a)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException(addresses.Count > 0
                ? $"{endpoint.Host} resolves only to private or local addresses ({string.Join(", ", addresses.Take(3))}), which are not fetched"
                : failed ? $"the address lookup of {endpoint.Host} failed" : $"{endpoint.Host} has no address");
        }

        Exception? last = null;
        foreach (var address in allowed.Take(4))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                return (socket, failed);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw new HttpRequestException($"no connection to {endpoint.Host}:{endpoint.Port}: {last?.Message}", last);
    }

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxBody];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner && inner is not AggregateException ? Innermost(inner) : e;

    /// <summary>Public unicast only: no loopback, private, link-local, CGNAT, multicast or reserved space.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && (b[1] & 0xc0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xf0) == 16)
                || (b[0] == 192 && b[1] == 168));
        }

        return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || (b[0] & 0xfe) == 0xfc);
    }
}

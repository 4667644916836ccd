using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using DnsClient.Protocol;
using Postmaster.Core.Blocklists.Udp;

namespace Postmaster.Core.Blocklists;

public sealed record DnsblResolverOptions
{
    /// <summary>The resolvers to ask; empty means the system's.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 1;
}

/// <summary>
/// DNS queries for blocklists with DnsClient.NET: no cache (a stale "not listed" is worse than a
/// query), every A record kept, and failures reported as what they are instead of as "not listed".
/// </summary>
public sealed class DnsblResolver
{
    public const int MaxTxtLength = 512;

    private readonly LookupClient _client;
    private readonly DnsblResolverOptions _options;

    public DnsblResolver(DnsblResolverOptions options)
    {
        var lookupOptions = options.Servers.Count > 0
            ? new LookupClientOptions(options.Servers.Select(s => new NameServer(s)).ToArray())
            : new LookupClientOptions();
        lookupOptions.UseCache = false;
        lookupOptions.Timeout = options.Timeout;
        lookupOptions.Retries = options.Retries;
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.ContinueOnDnsError = false;
        lookupOptions.ContinueOnEmptyResponse = false;
        lookupOptions.UseTcpFallback = true;
        lookupOptions.EnableAuditTrail = false;
        _client = new LookupClient(lookupOptions);
        _options = options;
    }

    /// <summary>The servers DnsClient settled on (the configured ones, or the system's), for the sweep's UDP pipeline.</summary>
    public UdpPipelineOptions PipelineOptions(int window) => new()
    {
        Servers = _options.Servers.Count > 0
            ? _options.Servers
            : _client.NameServers.Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToList(),
        Timeout = _options.Timeout,
        Retries = _options.Retries,
        Window = window,
    };

    /// <summary>Which resolver is asked and where that was set, for reasons a person can act on.</summary>
    public string Description => _options.Servers.Count > 0
        ? $"{string.Join(", ", _options.Servers)} (Postmaster:Dns:Servers)"
        : $"{string.Join(", ", _client.NameServers.Select(n => $"{n.Address}:{n.Port}"))} (the system's, as Postmaster:Dns:Servers is not set)";

    public Task<BlocklistAnswer> QueryAsync(string name, CancellationToken cancellationToken) => QueryAsync(name, DnsType.A, cancellationToken);

    /// <summary>An A query (or a TXT one, whose strings come back in <see cref="BlocklistAnswer.Texts"/>), over TCP too when the UDP answer is truncated.</summary>
    public async Task<BlocklistAnswer> QueryAsync(string name, DnsType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type == DnsType.Txt ? QueryType.TXT : QueryType.A, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException e) when (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            return new BlocklistAnswer(LookupStatus.Timeout, []);
        }
        catch (DnsResponseException e)
        {
            return new BlocklistAnswer(LookupStatus.OtherError, [], e.Message);
        }
        catch (SocketException e)
        {
            return new BlocklistAnswer(LookupStatus.OtherError, [], e.Message);
        }

        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError when type == DnsType.Txt => TextAnswer(response),
            DnsHeaderResponseCode.NoError => ToAnswer(response),
            DnsHeaderResponseCode.NotExistentDomain => BlocklistAnswer.NotFound,
            DnsHeaderResponseCode.ServerFailure => new BlocklistAnswer(LookupStatus.ServerFailure, []),
            DnsHeaderResponseCode.Refused => new BlocklistAnswer(LookupStatus.Refused, []),
            var code => new BlocklistAnswer(LookupStatus.OtherError, [], $"The resolver answered {code}."),
        };
    }

    /// <summary>The TXT reason a list gives for a listing, joined, stripped of control characters and bounded.</summary>
    public async Task<string?> QueryReasonAsync(string name, CancellationToken cancellationToken) =>
        Reason(await QueryAsync(name, DnsType.Txt, cancellationToken));

    /// <summary>The reason in a TXT answer: its strings joined, sanitised and bounded; null when there is none.</summary>
    public static string? Reason(BlocklistAnswer answer) =>
        answer.Texts is { Count: > 0 } texts ? Sanitize(string.Join(" ", texts)) : null;

    /// <summary>TXT is untrusted text from the Internet: keep printable characters, at most <see cref="MaxTxtLength"/>.</summary>
    public static string? Sanitize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxTxtLength));
        foreach (var c in text)
        {
            if (builder.Length >= MaxTxtLength)
            {
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

    private static BlocklistAnswer TextAnswer(IDnsQueryResponse response)
    {
        var texts = response.Answers.TxtRecords().SelectMany(t => t.Text).ToList();
        return texts.Count == 0 ? BlocklistAnswer.NotFound : new BlocklistAnswer(LookupStatus.Answered, [], Texts: texts);
    }

    private static BlocklistAnswer ToAnswer(IDnsQueryResponse response)
    {
        var addresses = response.Answers.OfType<ARecord>().Select(a => a.Address).ToList();
        return addresses.Count == 0 ? BlocklistAnswer.NotFound : new BlocklistAnswer(LookupStatus.Answered, addresses);
    }

    /// <summary>Parses "host:port" or "host" (port 53) entries of Postmaster:Dns:Servers.</summary>
    public static IPEndPoint ParseServer(string text)
    {
        var trimmed = text.Trim();
        if (IPEndPoint.TryParse(trimmed, out var endpoint))
        {
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint;
        }

        var colon = trimmed.LastIndexOf(':');
        var host = colon > 0 ? trimmed[..colon] : trimmed;
        var port = colon > 0 && int.TryParse(trimmed[(colon + 1)..], out var p) ? p : 53;
        var address = Dns.GetHostAddresses(host).FirstOrDefault()
            ?? throw new ArgumentException($"The DNS server '{text}' does not resolve to an address.");
        return new IPEndPoint(address, port);
    }
}

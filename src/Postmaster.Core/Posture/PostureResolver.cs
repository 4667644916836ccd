using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Postmaster.Core.Posture;

/// <summary>
/// Posture's DNS through DnsClient.NET and the app's resolvers (<c>Postmaster:Dns:Servers</c>).
/// Failures are reported as failures (a timeout or SERVFAIL is never "no record"), and each
/// refresh run asks through its own <see cref="NewSession">session</see>, which remembers the
/// answers of that run: one SPF record evaluated for 64 addresses is fetched once.
/// </summary>
public sealed class PostureResolver
{
    /// <summary>TXT is untrusted: at most this many records per name, each cut to <see cref="MaxTxtLength"/> characters.</summary>
    public const int MaxTxtRecords = 32;

    public const int MaxTxtLength = 8192;

    private readonly LookupClient _client;

    /// <param name="servers">The resolvers to ask; empty means the system's.</param>
    public PostureResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, int retries)
    {
        var options = servers.Count > 0 ? new LookupClientOptions(servers.Select(s => new NameServer(s)).ToArray()) : new LookupClientOptions();
        options.Timeout = timeout;
        options.Retries = retries;
        options.UseCache = false; // a session remembers a run's answers; nothing older is trusted
        options.ThrowDnsErrors = false;
        options.ContinueOnEmptyResponse = false;
        options.UseTcpFallback = true; // SPF and DKIM TXT answers outgrow 512 bytes
        options.EnableAuditTrail = false;
        _client = new LookupClient(options);
    }

    /// <summary>A view that asks each question once per run.</summary>
    public IPostureDns NewSession() => new Session(this);

    private async Task<DnsAnswer<T>> AskAsync<T>(string name, QueryType type, Func<IDnsQueryResponse, IReadOnlyList<T>> read, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, ct);
        }
        catch (DnsResponseException e) when (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            return DnsAnswer.Failed<T>($"the {type} lookup of {name} timed out");
        }
        catch (DnsResponseException e)
        {
            return DnsAnswer.Failed<T>($"the {type} lookup of {name} failed: {e.Message}");
        }
        catch (SocketException e)
        {
            return DnsAnswer.Failed<T>($"the {type} lookup of {name} failed: {e.Message}");
        }
        catch (ArgumentException)
        {
            // DnsClient refuses names it cannot put on the wire (a label over 63 octets): no such name can exist.
            return DnsAnswer.NoSuchName<T>();
        }

        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => DnsAnswer.Found(read(response)),
            DnsHeaderResponseCode.NotExistentDomain => DnsAnswer.NoSuchName<T>(),
            DnsHeaderResponseCode.ServerFailure => DnsAnswer.Failed<T>($"the resolver answered SERVFAIL for the {type} lookup of {name}"),
            DnsHeaderResponseCode.Refused => DnsAnswer.Failed<T>($"the resolver refused the {type} lookup of {name}"),
            var code => DnsAnswer.Failed<T>($"the resolver answered {code} for the {type} lookup of {name}"),
        };
    }

    private static IReadOnlyList<string> Texts(IDnsQueryResponse response) =>
        [.. response.Answers.TxtRecords().Take(MaxTxtRecords).Select(t =>
        {
            var joined = string.Concat(t.Text);
            return joined.Length <= MaxTxtLength ? joined : joined[..MaxTxtLength];
        })];

    private static IReadOnlyList<IPAddress> Addresses(IDnsQueryResponse response, AddressFamily family) =>
        family == AddressFamily.InterNetworkV6
            ? [.. response.Answers.AaaaRecords().Select(r => r.Address)]
            : [.. response.Answers.ARecords().Select(r => r.Address)];

    private static IReadOnlyList<MxHost> Exchanges(IDnsQueryResponse response) =>
        [.. response.Answers.MxRecords().Select(r => new MxHost(r.Preference, Trim(r.Exchange.Value)))];

    private static IReadOnlyList<string> Pointers(IDnsQueryResponse response) =>
        [.. response.Answers.PtrRecords().Select(r => Trim(r.PtrDomainName.Value)).Where(n => n.Length > 0)];

    private static string Trim(string name) => name.TrimEnd('.').ToLowerInvariant();

    private static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();

    private sealed class Session(PostureResolver resolver) : IPostureDns
    {
        private readonly ConcurrentDictionary<string, Task<DnsAnswer<string>>> _txt = new();
        private readonly ConcurrentDictionary<(string, AddressFamily), Task<DnsAnswer<IPAddress>>> _addresses = new();
        private readonly ConcurrentDictionary<string, Task<DnsAnswer<MxHost>>> _mx = new();
        private readonly ConcurrentDictionary<IPAddress, Task<DnsAnswer<string>>> _ptr = new();

        public Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken) =>
            Once(_txt, Key(name), n => resolver.AskAsync(n, QueryType.TXT, Texts, cancellationToken));

        public Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken) =>
            Once(_addresses, (Key(name), family), k => resolver.AskAsync(
                k.Item1, family == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A, r => Addresses(r, family), cancellationToken));

        public Task<DnsAnswer<MxHost>> MxAsync(string name, CancellationToken cancellationToken) =>
            Once(_mx, Key(name), n => resolver.AskAsync(n, QueryType.MX, Exchanges, cancellationToken));

        public Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken) =>
            Once(_ptr, address, a => resolver.AskAsync(a.GetArpaName(), QueryType.PTR, Pointers, cancellationToken));

        // The first caller's token starts the query and later callers of the run share its answer;
        // a query cancelled with its caller (one asset's time ran out) is asked again for the next.
        private static Task<T> Once<TKey, T>(ConcurrentDictionary<TKey, Task<T>> answers, TKey key, Func<TKey, Task<T>> ask)
            where TKey : notnull
        {
            var task = answers.GetOrAdd(key, ask);
            if (task.IsCanceled)
            {
                var again = ask(key);
                answers[key] = again;
                return again;
            }

            return task;
        }
    }
}

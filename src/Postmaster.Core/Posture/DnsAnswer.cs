using System.Net;
using System.Net.Sockets;

namespace Postmaster.Core.Posture;

/// <summary>What a DNS question got: records, an empty answer (NODATA), NXDOMAIN, or no usable answer at all.</summary>
public enum DnsAnswerStatus
{
    /// <summary>NOERROR with at least one record of the asked type.</summary>
    Found,

    /// <summary>NOERROR without a record of the asked type (NODATA): the name exists.</summary>
    Empty,

    /// <summary>NXDOMAIN: the name does not exist.</summary>
    NoSuchName,

    /// <summary>A timeout, SERVFAIL, REFUSED or anything else: nothing is known.</summary>
    Failed,
}

/// <summary>The answer to one question; <see cref="Error"/> says why when it <see cref="DnsAnswerStatus.Failed"/>.</summary>
public sealed record DnsAnswer<T>(DnsAnswerStatus Status, IReadOnlyList<T> Records, string? Error = null)
{
    /// <summary>NODATA or NXDOMAIN: an answer that says "nothing here" (RFC 7208 §4.6.4 calls it a void lookup).</summary>
    public bool IsVoid => Status is DnsAnswerStatus.Empty or DnsAnswerStatus.NoSuchName;
}

public static class DnsAnswer
{
    public static DnsAnswer<T> Found<T>(IReadOnlyList<T> records) => new(records.Count > 0 ? DnsAnswerStatus.Found : DnsAnswerStatus.Empty, records);

    public static DnsAnswer<T> Empty<T>() => new(DnsAnswerStatus.Empty, []);

    public static DnsAnswer<T> NoSuchName<T>() => new(DnsAnswerStatus.NoSuchName, []);

    public static DnsAnswer<T> Failed<T>(string error) => new(DnsAnswerStatus.Failed, [], error);
}

/// <summary>One MX record: its preference and exchange host (without the trailing dot; "" for RFC 7505's null MX).</summary>
public sealed record MxHost(int Preference, string Host)
{
    public bool IsNullMx => Host.Length == 0;
}

/// <summary>
/// The DNS questions posture asks. The app answers them with DnsClient.NET through the configured
/// resolvers (<see cref="PostureResolver"/>); unit tests answer them from a table, so the SPF and
/// posture rules are tested in milliseconds.
/// </summary>
public interface IPostureDns
{
    /// <summary>The name's TXT records, each one's strings joined without a separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2).</summary>
    Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken);

    /// <summary>A records for <see cref="AddressFamily.InterNetwork"/>, AAAA for <see cref="AddressFamily.InterNetworkV6"/>.</summary>
    Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken);

    Task<DnsAnswer<MxHost>> MxAsync(string name, CancellationToken cancellationToken);

    /// <summary>The PTR names of the address (in-addr.arpa or ip6.arpa), without trailing dots.</summary>
    Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken);
}

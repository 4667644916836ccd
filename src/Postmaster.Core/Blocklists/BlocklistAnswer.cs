using System.Net;

namespace Postmaster.Core.Blocklists;

/// <summary>How the DNS query went, before any meaning is read into it.</summary>
public enum LookupStatus
{
    /// <summary>NOERROR with A records.</summary>
    Answered,

    /// <summary>NXDOMAIN, or NOERROR without A records (NODATA).</summary>
    NotFound,

    Timeout,
    ServerFailure,
    Refused,
    OtherError,
}

/// <summary>
/// The raw answer to one DNSBL query: every A record is kept, not just the first. <see cref="Texts"/>
/// holds the strings of a TXT answer (a listing's reason), untrusted and not yet sanitised.
/// </summary>
public sealed record BlocklistAnswer(LookupStatus Status, IReadOnlyList<IPAddress> Addresses, string? Detail = null, IReadOnlyList<string>? Texts = null)
{
    public static BlocklistAnswer NotFound { get; } = new(LookupStatus.NotFound, []);

    public static BlocklistAnswer Of(params string[] addresses) =>
        new(LookupStatus.Answered, addresses.Select(IPAddress.Parse).ToList());
}

public enum ListingOutcome
{
    NotListed,
    Listed,

    /// <summary>Timeouts, errors, error codes, undocumented or out-of-range answers: never flips a listing state.</summary>
    Unknown,
}

/// <summary>What an answer means for the asset, with the codes and their documented meanings.</summary>
public sealed record BlocklistVerdict(
    ListingOutcome Outcome,
    IReadOnlyList<IPAddress> Codes,
    IReadOnlyList<ReturnCode> Meanings,
    string? UnknownReason = null,
    bool ResolverRefused = false)
{
    public static BlocklistVerdict NotListed { get; } = new(ListingOutcome.NotListed, [], []);

    public IEnumerable<string> Categories => Meanings.Select(m => m.Category).Distinct(StringComparer.Ordinal);

    public string CodesText => string.Join(",", Codes.Select(c => c.ToString()));

    public static BlocklistVerdict Unknown(string reason, IReadOnlyList<IPAddress>? codes = null, bool resolverRefused = false) =>
        new(ListingOutcome.Unknown, codes ?? [], [], reason, resolverRefused);
}

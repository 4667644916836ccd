namespace Postmaster.Core.Signals.Logs;

/// <summary>What one log line turned out to be.</summary>
public enum LogLineKind
{
    /// <summary>A delivery attempt's outcome at a remote server: delivered, deferred or bounced.</summary>
    Outcome,

    /// <summary>A valid line that reports no delivery outcome (connections, queue manager, receptions, local deliveries).</summary>
    Ignored,

    /// <summary>A line that cannot be read as the format, or a delivery line whose fields cannot be read.</summary>
    Malformed,
}

/// <summary>The result of parsing one line: an outcome, or why there is none.</summary>
/// <param name="Kind">What the line is.</param>
/// <param name="Outcome">Set when <paramref name="Kind"/> is <see cref="LogLineKind.Outcome"/>.</param>
/// <param name="Error">A short, fixed reason when <paramref name="Kind"/> is <see cref="LogLineKind.Malformed"/> (never text copied from the line).</param>
public readonly record struct LogLineResult(LogLineKind Kind, DeliveryOutcome? Outcome, string? Error)
{
    public static LogLineResult Ignored => new(LogLineKind.Ignored, null, null);

    public static LogLineResult Of(DeliveryOutcome outcome) => new(LogLineKind.Outcome, outcome, null);

    public static LogLineResult Malformed(string reason) => new(LogLineKind.Malformed, null, reason);
}

/// <summary>
/// Reads one line of an MTA log. Implementations are pure, stateless and thread-safe, never throw on
/// any input, and bound every string they return (see <see cref="LogFieldLimits"/>).
/// </summary>
public interface ILogLineParser
{
    LogLineResult Parse(string line);
}

/// <summary>Upper bounds on the strings a parser puts into a <see cref="DeliveryOutcome"/>.</summary>
public static class LogFieldLimits
{
    /// <summary>RFC 5321 §4.5.3.1.3 limits a path to 256 octets; a little slack for odd logs, no more.</summary>
    public const int MaxRecipientLength = 320;

    /// <summary>RFC 1035 §2.3.4: a domain name is at most 255 octets.</summary>
    public const int MaxHostLength = 255;

    /// <summary>The longest IPv6 text form (with an embedded IPv4 address and a zone) fits well within this.</summary>
    public const int MaxIpLength = 64;

    /// <summary>RFC 3463: class "." subject (1–3 digits) "." detail (1–3 digits).</summary>
    public const int MaxEnhancedCodeLength = 9;

    /// <summary>Responses are cut to <see cref="DeliveryOutcome.MaxResponseLength"/>.</summary>
    public const int MaxResponseLength = DeliveryOutcome.MaxResponseLength;
}

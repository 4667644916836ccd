namespace Postmaster.Core.Signals;

/// <summary>
/// One delivery outcome as an MTA log line, an ingest call or a bounce message reports it, before
/// classification. Every text field is untrusted and already bounded by the parser that made it.
/// </summary>
public sealed record DeliveryOutcome(
    DeliveryStatus Status,
    DateTimeOffset? Time = null,
    string? SourceIp = null,
    string? Recipient = null,
    string? RecipientDomain = null,
    string? Mx = null,
    int? SmtpCode = null,
    string? EnhancedCode = null,
    string? Response = null)
{
    /// <summary>Responses longer than this are cut: no SMTP reply a rule needs is longer.</summary>
    public const int MaxResponseLength = 2000;
}

/// <summary>What the classifier made of a response: who answered, why, and which rule said so.</summary>
public sealed record Classification(string? Provider, SignalKind? Kind, string? Blocklist, string? MatchedRule)
{
    public static Classification None { get; } = new(null, null, null, null);
}

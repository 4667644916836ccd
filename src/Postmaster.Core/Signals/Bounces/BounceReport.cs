namespace Postmaster.Core.Signals.Bounces;

/// <summary>
/// One recipient a bounce (DSN or an MTA's own notice) reports on. Every field is untrusted text from
/// the message, bounded by the parser: <see cref="Response"/> to <see cref="DeliveryOutcome.MaxResponseLength"/>.
/// </summary>
/// <param name="Recipient">The address the report is about (Final-Recipient, else Original-Recipient, else the address the notice names).</param>
/// <param name="Status">failed → bounced, delayed → deferred, delivered/relayed/expanded → delivered.</param>
/// <param name="SmtpCode">The remote server's reply code (550), when the report quotes one.</param>
/// <param name="EnhancedCode">RFC 3463 status (5.7.1): the DSN's Status field, or the one in the quoted reply.</param>
/// <param name="Response">The remote server's reply as quoted ("550 5.7.1 ..."), or the reporting MTA's own reason when no reply is quoted.</param>
/// <param name="RemoteMta">The server that answered: the DSN's Remote-MTA as written ("dns; mx.example.com"), or the host a notice names.</param>
public sealed record BouncedRecipient(string? Recipient, DeliveryStatus Status, int? SmtpCode, string? EnhancedCode, string? Response, string? RemoteMta);

/// <summary>What <see cref="BounceParser.Parse"/> read from one message.</summary>
/// <param name="IsBounce">True for a delivery status notification or an MTA's failure/delay notice with at least one recipient.</param>
/// <param name="Recipients">The recipients reported on; empty when <paramref name="IsBounce"/> is false.</param>
/// <param name="NotABounceBecause">Why the message is not taken as a bounce (auto-reply, complaint report, ordinary mail, unreadable), else null.</param>
public sealed record BounceReport(bool IsBounce, IReadOnlyList<BouncedRecipient> Recipients, string? NotABounceBecause)
{
    internal static BounceReport NotABounce(string reason) => new(false, [], reason);
}

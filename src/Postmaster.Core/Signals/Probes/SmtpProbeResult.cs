using System.Net;

namespace Postmaster.Core.Signals.Probes;

/// <summary>The step of a probe conversation, in the order they happen.</summary>
public enum ProbeStep
{
    /// <summary>Resolving the MX host, binding the source IP and opening the TCP connection.</summary>
    Connect,
    Greeting,
    Ehlo,
    MailFrom,
    RcptTo,
}

/// <summary>What a probe found out.</summary>
public enum ProbeVerdict
{
    /// <summary>The server accepted RCPT TO: this source IP is not refused at the SMTP level.</summary>
    Accepted,

    /// <summary>A 5xx reply: a permanent refusal.</summary>
    Rejected,

    /// <summary>A 4xx reply: a temporary refusal (greylisting, rate limit, a temporary block).</summary>
    Deferred,

    /// <summary>No usable reply from the server: connection refused or reset, a timeout, or something that is not SMTP.</summary>
    Failed,

    /// <summary>The probe could not start on this side: the source IP cannot be bound, or the MX host name does not resolve.</summary>
    LocalError,
}

/// <summary>One probe conversation: which step decided, and what the server said there.</summary>
public sealed record SmtpProbeResult
{
    /// <summary>The step that decided: where the first non-2xx reply or the failure came, or <see cref="ProbeStep.RcptTo"/> when all was accepted.</summary>
    public required ProbeStep Step { get; init; }

    public required ProbeVerdict Verdict { get; init; }

    /// <summary>The reply code at <see cref="Step"/>; null when there was no reply.</summary>
    public int? Code { get; init; }

    /// <summary>The RFC 3463 enhanced status code after the reply code ("5.7.1"), if the server sent one.</summary>
    public string? EnhancedCode { get; init; }

    /// <summary>The reply at <see cref="Step"/>, its lines joined with spaces as an MTA log shows them ("550-5.7.1 a 550 5.7.1 b").</summary>
    public string? Reply { get; init; }

    /// <summary>What went wrong when there was no usable reply (<see cref="ProbeVerdict.Failed"/>, <see cref="ProbeVerdict.LocalError"/>).</summary>
    public string? Error { get; init; }

    public bool RecipientAccepted => Verdict == ProbeVerdict.Accepted;

    /// <summary>The local end of the connection, as the server saw it (the bound source IP).</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    public IPEndPoint? RemoteEndPoint { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The conversation, "C: " and "S: " lines; bounded by the reply limits.</summary>
    public IReadOnlyList<string> Transcript { get; init; } = [];

    /// <summary>
    /// The probe as a delivery outcome for the signal pipeline, or null when it is not one:
    /// a 5xx is <see cref="DeliveryStatus.Bounced"/>, a 4xx <see cref="DeliveryStatus.Deferred"/>, no usable
    /// reply <see cref="DeliveryStatus.Deferred"/> without a code (as an MTA logs "connect to …: Connection timed out").
    /// An accepted RCPT is not a delivery (no message was sent, and receivers that forget quiet senders
    /// count mail, not probes), so it is not recorded as <see cref="DeliveryStatus.Delivered"/>; nor is a
    /// local error, which says nothing about the receiver.
    /// </summary>
    public DeliveryOutcome? ToOutcome(DateTimeOffset time, string? sourceIp, string? recipient, string? mx)
    {
        var status = Verdict switch
        {
            ProbeVerdict.Rejected => DeliveryStatus.Bounced,
            ProbeVerdict.Deferred or ProbeVerdict.Failed => DeliveryStatus.Deferred,
            _ => (DeliveryStatus?)null,
        };
        if (status is null)
        {
            return null;
        }

        var response = Verdict == ProbeVerdict.Failed ? Error : Reply;
        if (response is { Length: > DeliveryOutcome.MaxResponseLength })
        {
            response = response[..DeliveryOutcome.MaxResponseLength];
        }

        var at = recipient?.LastIndexOf('@') ?? -1;
        return new DeliveryOutcome(
            status.Value,
            time,
            sourceIp ?? LocalEndPoint?.Address.ToString(),
            recipient,
            at >= 0 ? recipient![(at + 1)..].ToLowerInvariant() : null,
            mx,
            Verdict == ProbeVerdict.Failed ? null : Code,
            Verdict == ProbeVerdict.Failed ? null : EnhancedCode,
            response);
    }
}

namespace Postmaster.Core.Signals.Logs;

/// <summary>
/// Reads Postfix's syslog lines. An outcome is a line of the SMTP client (<c>postfix/smtp</c>, also under
/// another instance or service name: <c>postfix-out/smtp</c>, <c>postfix/relay/smtp</c>) that reports one
/// recipient's delivery attempt:
/// <code>Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=&lt;user@gmail.com&gt;, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[142.250.102.27] said: 550-5.7.26 … (in reply to end of DATA command))</code>
/// Everything else Postfix logs (smtpd, qmgr, cleanup, postscreen, bounce, <c>status=expired</c>, the SMTP
/// client's warnings and per-MX notes) is <see cref="LogLineKind.Ignored"/>, and so are <c>lmtp</c>, <c>local</c>,
/// <c>virtual</c> and <c>pipe</c> deliveries: they hand mail to this site's own mailboxes, not to a receiver
/// whose verdict on the sender matters.
/// <para>
/// Postfix does not log the source IP of a delivery (smtp_bind_address is per transport, not per line), so
/// <see cref="DeliveryOutcome.SourceIp"/> is always null. Classic timestamps have no year and no zone: they are
/// read as UTC in the current year (see <see cref="LogTimestamps.TryParseClassic"/>).
/// </para>
/// </summary>
public sealed class PostfixLogParser : ILogLineParser
{
    private readonly TimeProvider _time;

    public PostfixLogParser(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public LogLineResult Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (LogText.IsBlank(line))
        {
            return LogLineResult.Ignored;
        }

        if (!SyslogLine.TryParse(line, _time.GetUtcNow(), out var syslog, out var tagged))
        {
            return LogLineResult.Malformed("not a syslog line (no timestamp and host)");
        }

        if (!tagged || !IsSmtpClient(syslog.Program))
        {
            return LogLineResult.Ignored;
        }

        return ParseSmtpClient(syslog.Time, syslog.Message);
    }

    /// <summary>"postfix/smtp", "postfix-out/smtp", "postfix/relay/smtp": a Postfix instance's SMTP client.</summary>
    private static bool IsSmtpClient(ReadOnlySpan<char> program)
    {
        var slash = program.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var instance = program[..slash];
        if (!instance.Equals("postfix", StringComparison.Ordinal) && !instance.StartsWith("postfix-", StringComparison.Ordinal))
        {
            return false;
        }

        return program[(program.LastIndexOf('/') + 1)..].Equals("smtp", StringComparison.Ordinal);
    }

    private static LogLineResult ParseSmtpClient(DateTimeOffset time, ReadOnlySpan<char> message)
    {
        // "<queue id>: to=<…>, …"; anything else from the SMTP client is a note about a connection or a host.
        var colon = message.IndexOf(':');
        if (colon <= 0 || colon > 32 || !IsQueueId(message[..colon]))
        {
            return LogLineResult.Ignored;
        }

        var rest = message[(colon + 1)..];
        if (!rest.StartsWith(" to=<", StringComparison.Ordinal))
        {
            return LogLineResult.Ignored;
        }

        rest = rest[5..];
        var close = rest.IndexOf('>');
        if (close < 0)
        {
            return LogLineResult.Malformed("to=<…> is not closed");
        }

        if (!LogText.TryRecipient(rest[..close], out var recipient, out var domain, out var recipientError))
        {
            return LogLineResult.Malformed(recipientError!);
        }

        var fields = rest[(close + 1)..];
        var statusAt = fields.IndexOf(", status=", StringComparison.Ordinal);
        if (statusAt < 0)
        {
            return LogLineResult.Malformed("no status= field");
        }

        var statusValue = fields[(statusAt + 9)..];
        var statusEnd = statusValue.IndexOf(' ');
        var text = statusEnd < 0 ? default : statusValue[(statusEnd + 1)..];
        statusValue = statusEnd < 0 ? statusValue : statusValue[..statusEnd];
        DeliveryStatus status;
        switch (statusValue)
        {
            case "sent":
                status = DeliveryStatus.Delivered;
                break;
            case "deferred":
            case "SOFTBOUNCE": // soft_bounce=yes: would have bounced, is kept in the queue
                status = DeliveryStatus.Deferred;
                break;
            case "bounced":
                status = DeliveryStatus.Bounced;
                break;
            case "deliverable":
            case "undeliverable":
            case "expired":
                // Address-verification probes and queue-lifetime expiry: not a delivery to the receiver.
                return LogLineResult.Ignored;
            default:
                return LogLineResult.Malformed("unknown status");
        }

        var head = fields[..statusAt];
        var mx = Field(head, ", relay=") is { IsEmpty: false } relay ? RelayHost(relay) : null;
        var enhanced = Field(head, ", dsn=") is { IsEmpty: false } dsn ? LogText.EnhancedCode(dsn) : null;

        // The text is "(…)" to the end of the line; a cut line may have lost the closing parenthesis.
        text = text.Trim();
        if (text.StartsWith('('))
        {
            text = text[1..];
            if (text.EndsWith(')'))
            {
                text = text[..^1];
            }
        }

        var reply = RemoteReply(text);
        int? code;
        string? response;
        if (!reply.IsEmpty)
        {
            code = LogText.ReplyCode(reply);
            response = LogText.Response(reply);
        }
        else
        {
            // "connect to …: Connection timed out", "Host or domain name not found…": said by Postfix, not the receiver.
            code = status == DeliveryStatus.Delivered ? LogText.ReplyCode(text) : null;
            response = LogText.Response(text);
        }

        return LogLineResult.Of(new DeliveryOutcome(status, time, null, recipient, domain, mx, code, enhanced, response));
    }

    /// <summary>The receiver's words in "host X[ip] said: 550 … (in reply to RCPT TO command)" or "host X[ip] refused to talk to me: 554 …".</summary>
    private static ReadOnlySpan<char> RemoteReply(ReadOnlySpan<char> text)
    {
        var host = text.IndexOf("host ", StringComparison.Ordinal);
        if (host < 0)
        {
            return default;
        }

        var after = text[host..];
        int start;
        var said = after.IndexOf(" said: ", StringComparison.Ordinal);
        if (said >= 0)
        {
            start = said + 7;
        }
        else
        {
            var refused = after.IndexOf(" refused to talk to me: ", StringComparison.Ordinal);
            if (refused < 0)
            {
                return default;
            }

            start = refused + 24;
        }

        var reply = after[start..];
        var trailer = reply.LastIndexOf(" (in reply to ", StringComparison.Ordinal);
        if (trailer >= 0)
        {
            // Only the trailer that ends the text (a cut line may have lost its ")").
            var close = reply[trailer..].IndexOf(')');
            if (close < 0 || trailer + close == reply.Length - 1)
            {
                reply = reply[..trailer];
            }
        }

        return reply.Trim();
    }

    /// <summary>The value of ", name=value" up to the next comma, or empty.</summary>
    private static ReadOnlySpan<char> Field(ReadOnlySpan<char> fields, string name)
    {
        var at = fields.IndexOf(name, StringComparison.Ordinal);
        if (at < 0)
        {
            return default;
        }

        var value = fields[(at + name.Length)..];
        var end = value.IndexOf(',');
        return end < 0 ? value : value[..end];
    }

    /// <summary>"mx.example.com[192.0.2.1]:25" → "mx.example.com"; "none" → null.</summary>
    private static string? RelayHost(ReadOnlySpan<char> relay)
    {
        var bracket = relay.IndexOf('[');
        return LogText.Host(bracket >= 0 ? relay[..bracket] : relay);
    }

    private static bool IsQueueId(ReadOnlySpan<char> id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

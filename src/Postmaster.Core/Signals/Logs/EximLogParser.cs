namespace Postmaster.Core.Signals.Logs;

/// <summary>
/// Reads Exim's main log (also when written through syslog, tag <c>exim</c>/<c>exim4</c>). Outcomes are the
/// delivery lines of remote SMTP transports:
/// <code>2024-11-23 10:00:02 1tEx1a-000Ab1-9Q => user@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] I=[192.0.2.10]:52344 X=TLS1.3:… C="250 2.0.0 OK …"</code>
/// <c>=&gt;</c>, <c>-&gt;</c> (another recipient of the same transaction) and <c>&gt;&gt;</c> (cutthrough) are
/// deliveries, <c>**</c> a bounce, <c>==</c> a deferral; the receiver's reply follows "SMTP error from remote mail
/// server after &lt;command&gt;: " (in Exim before 4.80 after a further "host NAME [IP]: "). Arrivals (<c>&lt;=</c>),
/// "Completed", connection and ACL lines, deliveries without a remote host (local mailboxes, pipes, files) and
/// "retry time not reached" deferrals (no attempt was made) are <see cref="LogLineKind.Ignored"/>.
/// <para>
/// The source IP comes from <c>I=[ip]:port</c> (log_selector <c>+outgoing_interface</c>); without it, null.
/// Exim's timestamps are in the server's local time unless <c>log_timezone</c> adds an offset: without one
/// they are read as UTC.
/// </para>
/// </summary>
public sealed class EximLogParser : ILogLineParser
{
    private const string SmtpErrorPrefix = "SMTP error from remote mail server after ";
    private const string OldSmtpErrorPrefix = "SMTP error from remote mailer after ";

    private readonly TimeProvider _time;

    public EximLogParser(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public LogLineResult Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (LogText.IsBlank(line))
        {
            return LogLineResult.Ignored;
        }

        var span = line.AsSpan();
        DateTimeOffset time;
        ReadOnlySpan<char> rest;
        if (span.Length >= 19 && char.IsAsciiDigit(span[0]) && span[10] == ' ')
        {
            if (!LogTimestamps.TryParseIso(span, ' ', out time, out var length) || length >= span.Length || span[length] != ' ')
            {
                return LogLineResult.Malformed("no valid timestamp");
            }

            rest = span[(length + 1)..];
            if (rest.StartsWith('['))
            {
                // log_selector +pid: "[12345] "
                var close = rest.IndexOf(']');
                if (close > 1 && LogText.AllDigits(rest[1..close]))
                {
                    rest = rest[(close + 1)..].TrimStart(' ');
                }
            }
        }
        else if (SyslogLine.LooksLikeSyslog(span) && SyslogLine.TryParse(span, _time.GetUtcNow(), out var syslog, out var tagged))
        {
            if (!tagged || !syslog.Program.StartsWith("exim", StringComparison.Ordinal))
            {
                return LogLineResult.Ignored;
            }

            time = syslog.Time;
            rest = syslog.Message;
        }
        else
        {
            return LogLineResult.Malformed("no valid timestamp");
        }

        var idEnd = rest.IndexOf(' ');
        if (idEnd <= 0 || !IsMessageId(rest[..idEnd]))
        {
            return LogLineResult.Ignored; // connection, ACL, queue-run and other lines about no one message
        }

        rest = rest[(idEnd + 1)..];
        if (rest.Length < 4 || rest[2] != ' ')
        {
            return LogLineResult.Ignored;
        }

        DeliveryStatus status;
        switch (rest[..2])
        {
            case "=>":
            case "->":
            case ">>":
                status = DeliveryStatus.Delivered;
                break;
            case "**":
                status = DeliveryStatus.Bounced;
                break;
            case "==":
                status = DeliveryStatus.Deferred;
                break;
            default:
                return LogLineResult.Ignored;
        }

        return ParseDelivery(time, status, rest[3..]);
    }

    private static LogLineResult ParseDelivery(DateTimeOffset time, DeliveryStatus status, ReadOnlySpan<char> rest)
    {
        var tokenEnd = rest.IndexOf(' ');
        var address = tokenEnd < 0 ? rest : rest[..tokenEnd];
        var remainder = tokenEnd < 0 ? default : rest[(tokenEnd + 1)..];
        var errorFollows = false;
        if (address.EndsWith(':'))
        {
            address = address[..^1];
            errorFollows = true;
        }

        if (address.IndexOf('@') <= 0 || address[0] is '|' or '/')
        {
            return LogLineResult.Ignored; // a local mailbox, pipe or file
        }

        ReadOnlySpan<char> hostName = default;
        ReadOnlySpan<char> source = default;
        ReadOnlySpan<char> confirmation = default;
        ReadOnlySpan<char> systemError = default;
        ReadOnlySpan<char> previous = default;
        var hostSeen = false;
        while (!errorFollows && !remainder.IsEmpty)
        {
            var end = TokenEnd(remainder, out var quoted);
            var token = remainder[..end];
            remainder = end < remainder.Length ? remainder[(end + 1)..] : default;
            if (!quoted && token.EndsWith(':'))
            {
                token = token[..^1];
                errorFollows = true;
                if (previous.SequenceEqual("defer") && token.Length > 2 && token[0] == '(' && token[^1] == ')' && LogText.AllDigits(token[1..^1]))
                {
                    // "defer (110): Connection timed out H=mx [ip]…": strerror(errno) comes before the host fields.
                    var host = remainder.IndexOf(" H=", StringComparison.Ordinal);
                    systemError = host < 0 ? remainder : remainder[..host];
                    if (host >= 0)
                    {
                        remainder = remainder[(host + 1)..];
                        errorFollows = false;
                    }
                    else
                    {
                        remainder = default;
                    }
                }
            }

            previous = token;

            if (token.StartsWith("H=", StringComparison.Ordinal))
            {
                hostSeen = true;
                hostName = token[2..];
            }
            else if (token.StartsWith("I=", StringComparison.Ordinal))
            {
                source = LogText.WithoutPort(token[2..]);
            }
            else if (token.StartsWith("C=", StringComparison.Ordinal))
            {
                confirmation = Unquote(token[2..]);
            }
        }

        var error = errorFollows && !remainder.IsEmpty ? remainder : systemError;
        ReadOnlySpan<char> reply = default;
        if (!error.IsEmpty)
        {
            if (error.Contains("retry time not reached", StringComparison.Ordinal))
            {
                return LogLineResult.Ignored;
            }

            var prefix = error.StartsWith(SmtpErrorPrefix, StringComparison.Ordinal) ? SmtpErrorPrefix.Length
                : error.StartsWith(OldSmtpErrorPrefix, StringComparison.Ordinal) ? OldSmtpErrorPrefix.Length : -1;
            if (prefix >= 0)
            {
                var afterCommand = error[prefix..];
                var colon = afterCommand.IndexOf(": ", StringComparison.Ordinal);
                reply = colon < 0 ? default : afterCommand[(colon + 2)..];
                if (reply.StartsWith("host ", StringComparison.Ordinal))
                {
                    // Exim before 4.80: "…after RCPT TO:<x>: host mx.example.com [192.0.2.1]: 550 …"
                    hostSeen = true;
                    var nameEnd = reply[5..].IndexOf(' ');
                    var replyStart = reply.IndexOf("]: ", StringComparison.Ordinal);
                    if (hostName.IsEmpty && nameEnd > 0)
                    {
                        hostName = reply.Slice(5, nameEnd);
                    }

                    reply = replyStart > 0 ? reply[(replyStart + 3)..] : default;
                }
            }
        }

        if (status == DeliveryStatus.Delivered && !hostSeen)
        {
            return LogLineResult.Ignored; // delivered by a local transport
        }

        if (!LogText.TryRecipient(address, out var recipient, out var domain, out var recipientError))
        {
            return LogLineResult.Malformed(recipientError!);
        }

        var mx = LogText.Host(hostName);
        var sourceIp = source.IsEmpty ? null : LogText.IpAddress(source);
        int? code;
        string? enhanced;
        string? response;
        if (status == DeliveryStatus.Delivered)
        {
            code = LogText.ReplyCode(confirmation);
            enhanced = LogText.EnhancedCodeInReply(confirmation);
            response = LogText.EximResponse(confirmation);
        }
        else if (!reply.IsEmpty)
        {
            code = LogText.ReplyCode(reply);
            enhanced = LogText.EnhancedCodeInReply(reply);
            response = LogText.EximResponse(reply);
        }
        else
        {
            // "Unrouteable address", "Connection timed out", "retry timeout exceeded": Exim's own words.
            code = null;
            enhanced = null;
            response = LogText.EximResponse(error);
        }

        return LogLineResult.Of(new DeliveryOutcome(status, time, sourceIp, recipient, domain, mx, code, enhanced, response));
    }

    /// <summary>End of the token at the start of <paramref name="text"/>: the next space outside double quotes.</summary>
    private static int TokenEnd(ReadOnlySpan<char> text, out bool quoted)
    {
        quoted = false;
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
                quoted = true;
            }
            else if (c == ' ')
            {
                return i;
            }
        }

        return text.Length;
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1];
        }

        return value.StartsWith('"') ? value[1..] : value;
    }

    /// <summary>"1rE5Xa-000123-AB" (before Exim 4.97) or "1xB111-000000037ku-33mU" (4.97 and later).</summary>
    private static bool IsMessageId(ReadOnlySpan<char> id)
    {
        if (id.Length is not (16 or 23) || id[6] != '-')
        {
            return false;
        }

        var dashes = 0;
        foreach (var c in id)
        {
            if (c == '-')
            {
                dashes++;
            }
            else if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return dashes == 2;
    }
}

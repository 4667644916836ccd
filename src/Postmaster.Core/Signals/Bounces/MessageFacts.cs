using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Postmaster.Core.Signals.Bounces;

/// <summary>What the headers and the first text part of a message say, read once and bounded.</summary>
internal sealed partial class MessageFacts
{
    private const int MaxHeaderChars = 2000;

    private readonly List<MimeEntity> _parts;
    private readonly MimeMessage _message;
    private string? _text;
    private List<string>? _lines;
    private string? _unquoted;
    private int _returnedMessageAt;
    private string? _tail;

    private readonly Lazy<Senders> _senders;
    private readonly Lazy<bool> _delay;
    private IReadOnlyList<string>? _failedRecipients;

    // Everything is read on first use: a DSN whose fields give every reply never needs the text, the senders or the
    // subject, and the bench shows the difference.
    public MessageFacts(MimeMessage message, List<MimeEntity> parts)
    {
        _message = message;
        _parts = parts;
        _senders = new Lazy<Senders>(ReadSenders, LazyThreadSafetyMode.None);
        _delay = new Lazy<bool>(ReadDelay, LazyThreadSafetyMode.None);
    }

    public string Subject => _senders.Value.Subject;

    /// <summary>
    /// RFC 5321 §4.5.5 / RFC 2142: notices come from MAILER-DAEMON or postmaster (some write "post_master",
    /// "MAILER_DAEMON"); the display names "Mail Delivery System/Subsystem" are Exim's, Sendmail's and Gmail's.
    /// </summary>
    public bool DaemonSender => _senders.Value.DaemonSender;

    public bool BounceSubject => BounceSubjectPattern().IsMatch(Subject);

    /// <summary>X-Failed-Recipients (Exim, Gmail, Mail.ru): the MTA's own list of the addresses that failed.</summary>
    public IReadOnlyList<string> FailedRecipients => _failedRecipients ??= _message.Headers
        .Where(h => string.Equals(h.Field, "X-Failed-Recipients", StringComparison.OrdinalIgnoreCase))
        .SelectMany(h => BounceParser.Clean(h.Value, MaxHeaderChars).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Select(BounceParser.CleanAddress)
        .OfType<string>()
        .Where(a => a.Contains('@', StringComparison.Ordinal))
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .Take(BounceParser.MaxRecipients)
        .ToList();

    /// <summary>
    /// Whether an address is the bounce's own recipient (To, Sender, Reply-To). The bounce goes to the original sender: a
    /// line naming that address is usually about the sender ("MAIL FROM:&lt;sender&gt;", "A message sent by &lt;sender&gt;"),
    /// but people do mail themselves, so it only loses to other names. Read from the raw header text, without parsing
    /// the address lists, and never for an address in X-Failed-Recipients.
    /// </summary>
    public bool IsOwnRecipient(string address) =>
        !FailedRecipients.Contains(address, StringComparer.OrdinalIgnoreCase)
        && _senders.Value.OwnRecipients.Contains(address, StringComparison.OrdinalIgnoreCase);

    /// <summary>The address the notice comes from: never a failed recipient.</summary>
    public string? Daemon => _senders.Value.Daemon;

    public string? AutoReplyMarker => FindAutoReplyMarker(_message, Subject);

    /// <summary>A delay warning rather than a final failure (subject or wording): recipients without an Action are deferred.</summary>
    public bool Delay => _delay.Value;

    /// <summary>The first text part that is not inside the returned message (HTML reduced to text), bounded.</summary>
    public string Text => _text ??= FirstText();

    /// <summary>The lines of <see cref="Text"/> before the returned message (quoting of a forwarded notice removed).</summary>
    public List<string> Lines
    {
        get
        {
            if (_lines is null)
            {
                _unquoted = BounceText.Unquote(Text);
                _lines = BounceText.Lines(_unquoted, stopAtReturnedMessage: true, out _returnedMessageAt);
            }

            return _lines;
        }
    }

    /// <summary>The text from where the returned message starts (an inline copy of it, or a bounce forwarded inline), from its first header line.</summary>
    public string Tail => _tail ??= ReadTail();

    /// <summary>The single To/Cc address of the returned original message (attached, else copied inline), if it names exactly one.</summary>
    public string? OriginalRecipient()
    {
        var attached = _parts.FirstOrDefault(BounceParser.IsAttachedMessage);
        if (attached is not null)
        {
            using var original = BounceParser.AttachedMessage(attached);
            return original is null ? null : SingleRecipient(original);
        }

        using var inline = InlineMessage();
        return inline is null ? null : SingleRecipient(inline);
    }

    /// <summary>The returned message as copied into the text, parsed (null when there is none); the caller disposes it.</summary>
    public MimeMessage? InlineMessage()
    {
        var tail = Tail;
        if (tail.Length == 0 || !BounceText.StartsWithHeader(tail))
        {
            return null;
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(tail));
        var parser = new MimeParser(BounceParser.Options, stream, persistent: false);
        return parser.ParseMessage();
    }

    private static string? SingleRecipient(MimeMessage original)
    {
        var addresses = original.To.Mailboxes.Concat(original.Cc.Mailboxes).Select(m => m.Address).Where(a => !string.IsNullOrEmpty(a)).Take(2).ToList();
        return addresses.Count == 1 ? BounceParser.CleanAddress(addresses[0]) : null;
    }

    private string ReadTail()
    {
        _ = Lines;
        var rest = BounceText.Lines(_unquoted![_returnedMessageAt..]);
        return string.Join('\n', rest.SkipWhile(l => !BounceText.StartsWithHeader(l)).Take(2000));
    }

    private string FirstText()
    {
        MimePart? html = null;
        foreach (var part in _parts)
        {
            if (part is not TextPart text || text.IsAttachment && !text.ContentType.IsMimeType("text", "plain"))
            {
                continue;
            }

            if (text.ContentType.IsMimeType("text", "plain"))
            {
                return BounceParser.ReadText(text);
            }

            if (text.ContentType.IsMimeType("text", "html"))
            {
                html ??= text;
            }
        }

        if (html is not null)
        {
            return BounceParser.ReadText(html);
        }

        // A multipart without any delimiter line (its boundary lost on the way): all of it is preamble, read as text.
        if (_parts.OfType<Multipart>().Select(m => m.Count == 0 ? m.Preamble : null).FirstOrDefault(p => !string.IsNullOrEmpty(p)) is { } preamble)
        {
            return preamble.Length > BounceParser.MaxTextChars ? preamble[..BounceParser.MaxTextChars] : preamble;
        }

        // A single-part body with no or an odd content type (old MTAs): read it as text if it is a leaf.
        return _message.Body is MimePart { Content: not null } leaf and not MessageDeliveryStatus ? BounceParser.ReadText(leaf) : "";
    }

    private bool ReadDelay()
    {
        if (DelaySubject().IsMatch(Subject))
        {
            return true;
        }

        // Every delay phrase below has one of these words: a vectorised search first, the pattern only on a hit.
        var head = Text.AsSpan(0, Math.Min(Text.Length, 4000));
        return (head.Contains("delay", StringComparison.OrdinalIgnoreCase) || head.Contains("retried", StringComparison.OrdinalIgnoreCase)
                || head.Contains("warning", StringComparison.OrdinalIgnoreCase) || head.Contains("yet been", StringComparison.OrdinalIgnoreCase)
                || head.Contains("temporary", StringComparison.OrdinalIgnoreCase))
            && DelayWording().IsMatch(head);
    }

    private Senders ReadSenders()
    {
        var subject = BounceParser.Clean(_message.Headers[HeaderId.Subject], MaxHeaderChars);
        var from = BounceParser.Clean(_message.Headers[HeaderId.From], MaxHeaderChars);
        var own = string.Join(' ', new[] { _message.Headers[HeaderId.To], _message.Headers[HeaderId.Sender], _message.Headers[HeaderId.ReplyTo] }
            .Select(h => BounceParser.Clean(h, MaxHeaderChars)));

        // The raw header text is enough here: MAILER-DAEMON/postmaster as the address's local part or the display name.
        var address = FromAddress().Match(from);
        return new Senders(subject, DaemonFrom().IsMatch(from), own, address.Success ? address.Value : null);
    }

    private static string? FindAutoReplyMarker(MimeMessage message, string subject)
    {
        var autoSubmitted = message.Headers["Auto-Submitted"];
        if (!string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return $"Auto-Submitted: {BounceParser.Clean(autoSubmitted, 40)}";
        }

        foreach (var name in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Vacation" })
        {
            if (message.Headers.Contains(name))
            {
                return name;
            }
        }

        var precedence = message.Headers[HeaderId.Precedence];
        if (precedence is not null && precedence.Contains("auto_reply", StringComparison.OrdinalIgnoreCase))
        {
            return "Precedence: auto_reply";
        }

        return AutoReplySubject().IsMatch(subject) ? "an out-of-office subject" : null;
    }

    /// <summary>RFC 5321 §4.5.5 / RFC 2142 local parts (and "post_master", "MAILER_DAEMON"), or Exim's, Sendmail's and Gmail's display names.</summary>
    [GeneratedRegex(@"(?:^|[\s<""'(:,])(?:mailer[-_]?daemon|mail[-_]?daemon|post[-_]?master)(?:@|>|\s|""|$)|mail delivery (?:system|subsystem|service)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DaemonFrom();

    [GeneratedRegex(@"[^\s<>""'(),:;]+@[^\s<>""'(),:;]+")]
    private static partial Regex FromAddress();

    [GeneratedRegex(@"undeliver|undelivered|not delivered|delivery (?:status notification|failure|failed|has failed|problem|notification|report)|returned mail|returning message|mail delivery failed|failure notice|non[- ]?delivery|could not be delivered|mail system error|delivery status|returned to sender|bounced? |mail failure|delayed mail|delivery delayed|warning: (?:could not send|message)|delivery failure|message not delivered|unable to deliver|failed delivery", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BounceSubjectPattern();

    [GeneratedRegex(@"out of (?:the )?office|^\s*auto(?:matic)?[- ]?(?:reply|response|answer)|^\s*auto:|autoreply|vacation|abwesenheit|away from (?:the|my) office|absence", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AutoReplySubject();

    [GeneratedRegex(@"\(delay\)|delayed|warning|still being retried|will be retried", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DelaySubject();

    [GeneratedRegex(@"has not yet been delivered|not yet been delivered|delivery to the following recipients? (?:has been|is) delayed|will be retried|this is a warning|warning message only|only a temporary failure|still being retried|message is delayed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DelayWording();

    private sealed record Senders(string Subject, bool DaemonSender, string OwnRecipients, string? Daemon);
}

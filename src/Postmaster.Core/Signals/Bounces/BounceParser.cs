using System.Buffers;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using Postmaster.Core.IO;

namespace Postmaster.Core.Signals.Bounces;

/// <summary>
/// Reads a bounce: an RFC 3464 delivery status notification (multipart/report; report-type=delivery-status)
/// or one of the many MTA- and provider-specific notices that are not (qmail, Exim, old Exchange, Yahoo,
/// Gmail's plain-text notices, ...). Says whether the message is a bounce at all (auto-replies, complaint
/// reports and ordinary mail are not) and, for each recipient reported on, the status, reply codes, the
/// remote server's reply and the server that gave it.
/// </summary>
/// <remarks>
/// Every input is hostile until read: at most <see cref="MaxMessageBytes"/> are pulled from the stream,
/// MIME nesting, parts, recipients and every text field are bounded, all pattern matching runs on bounded
/// lines, and a message that cannot be read is reported as not a bounce with the reason instead of throwing.
/// </remarks>
public static partial class BounceParser
{
    /// <summary>The most bytes read from a message; a longer one is read up to here (the report parts come first).</summary>
    public const long MaxMessageBytes = 10 * 1024 * 1024;

    /// <summary>Recipients reported per message at most (a DSN may list thousands; output stays bounded).</summary>
    internal const int MaxRecipients = 1000;

    /// <summary>MIME entities looked at per message (a DSN has 3 or 4); the rest of a hostile message is ignored.</summary>
    internal const int MaxParts = 500;

    internal const int MaxAddressLength = 320;

    internal const int MaxHostLength = 255;

    /// <summary>Characters of the human-readable part that the heuristics read; notices put the failure first.</summary>
    internal const int MaxTextChars = 64 * 1024;

    /// <summary>A multipart whose boundary never occurs is parsed again only up to this size.</summary>
    private const int MaxRepairChars = 1024 * 1024;

    internal static readonly ParserOptions Options = CreateOptions();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads one message (RFC 5322, LF or CRLF line ends) from the stream, at most <see cref="MaxMessageBytes"/> of it.</summary>
    /// <remarks>Never throws for what the stream holds; throws <see cref="OperationCanceledException"/> when cancelled.</remarks>
    public static BounceReport Parse(Stream message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            using var mime = NewParser(message).ParseMessage(cancellationToken);
            return Read(mime);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The contract is "never throws on hostile input": any failure to read is a reason, not a crash.
        catch (Exception e) when (e is not (OutOfMemoryException or TypeInitializationException))
#pragma warning restore CA1031
        {
            return Unreadable(e);
        }
    }

    /// <summary>
    /// <see cref="Parse"/> for a stream that must be read asynchronously (an ASP.NET Core request body, which refuses
    /// synchronous reads): the message is read with async I/O, then analysed in memory.
    /// </summary>
    public static async Task<BounceReport> ParseAsync(Stream message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            using var mime = await NewParser(message).ParseMessageAsync(cancellationToken);
            return Read(mime);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // as in Parse
        catch (Exception e) when (e is not (OutOfMemoryException or TypeInitializationException))
#pragma warning restore CA1031
        {
            return Unreadable(e);
        }
    }

    /// <summary>The recipient as a delivery outcome for classification and storage.</summary>
    public static DeliveryOutcome ToOutcome(BouncedRecipient r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new DeliveryOutcome(
            r.Status,
            Recipient: r.Recipient,
            RecipientDomain: DomainOf(r.Recipient),
            Mx: HostOf(r.RemoteMta),
            SmtpCode: r.SmtpCode,
            EnhancedCode: r.EnhancedCode,
            Response: r.Response is { Length: > DeliveryOutcome.MaxResponseLength } text ? text[..DeliveryOutcome.MaxResponseLength] : r.Response);
    }

    /// <summary>A parser over at most <see cref="MaxMessageBytes"/> of the stream; content is copied (persistent: false), so nothing reads the stream after parsing.</summary>
    private static MimeParser NewParser(Stream message) => new(Options, new BoundedReadStream(message, MaxMessageBytes), persistent: false);

    private static BounceReport Unreadable(Exception e) => BounceReport.NotABounce(e is FormatException
        ? $"not a readable MIME message ({Clean(e.Message, 200)})"
        : $"the message could not be read ({e.GetType().Name}: {Clean(e.Message, 200)})");

    private static ParserOptions CreateOptions()
    {
        var options = ParserOptions.Default.Clone();

        // A DSN nests 3 or 4 deep (report → returned message → its parts); hostile nesting becomes a leaf here
        // instead of a deep recursion.
        options.MaxMimeDepth = 32;

        // The returned original (message/rfc822, often most of the bytes) stays an unparsed leaf: the report never
        // needs it, and the rare fallback that does (a bounce of a bounce, the original's only recipient) parses it then.
        options.RegisterMimeType("message/rfc822", typeof(UnparsedMessage));
        options.RegisterMimeType("message/global", typeof(UnparsedMessage));
        return options;
    }

    internal static bool IsAttachedMessage(MimeEntity part) =>
        part.ContentType.IsMimeType("message", "rfc822") || part.ContentType.IsMimeType("message", "global");

    /// <summary>An attached message/rfc822 part, parsed now (bounded like the whole message); null if it cannot be read. The caller disposes it.</summary>
    internal static MimeMessage? AttachedMessage(MimeEntity part)
    {
        if (part is not MimePart { Content: not null } leaf)
        {
            return null;
        }

        try
        {
            using var content = leaf.Content.Open();
            return new MimeParser(Options, content, persistent: false).ParseMessage();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static BounceReport Read(MimeMessage mime, int depth = 0)
    {
        var parts = Flatten(mime.Body);

        // ARF (RFC 5965) reports are complaints a recipient made about a delivered message: they matter, but they
        // are not delivery failures and carry no SMTP reply. Checked first: an ARF report also comes from a
        // robot address and is a multipart/report.
        if (IsReport(parts.FirstOrDefault(), "feedback-report") || parts.Exists(p => p.ContentType.IsMimeType("message", "feedback-report")))
        {
            return BounceReport.NotABounce("an ARF feedback report (RFC 5965): a recipient's complaint, not a delivery failure");
        }

        var facts = new MessageFacts(mime, parts);

        // RFC 3464: the machine-readable delivery-status part decides, whatever the headers say. An Exim or
        // Postfix DSN also carries "Auto-Submitted: auto-replied", so structure must win over auto-reply headers.
        var statusPart = parts.Find(p => p is MessageDeliveryStatus
            || p.ContentType.IsMimeType("message", "delivery-status") || p.ContentType.IsMimeType("message", "global-delivery-status"));
        if (statusPart is not null)
        {
            var fromDsn = FromFieldGroups(StatusGroups(statusPart), () => facts.Delay ? DeliveryStatus.Deferred : DeliveryStatus.Bounced);
            if (fromDsn.Count > 0)
            {
                return new BounceReport(true, FillFromText(fromDsn, facts), null);
            }
        }

        // Amazon SES notifications (JSON through SNS) are bounces in another envelope: read the JSON.
        if (AmazonSesNotification.TryRead(facts.Text) is { } ses)
        {
            return ses;
        }

        // Not a standard DSN. A bounce candidate is a message from a mail system about a delivery: sent by
        // MAILER-DAEMON/postmaster (RFC 5321 §4.5.5 and RFC 2142 name these for notices), naming its failed
        // recipients in X-Failed-Recipients (Exim, Gmail), or under a subject MTAs use for notices
        // ("Undelivered Mail Returned to Sender", "failure notice", "Mail delivery failed", ...).
        var candidate = statusPart is not null || facts.DaemonSender || facts.FailedRecipients.Count > 0 || facts.BounceSubject;
        if (!candidate)
        {
            // Auto-replies (RFC 3834 Auto-Submitted, X-Autoreply, vacation subjects) come from people's mailboxes,
            // not from mail systems; they often use the null Return-Path too, so the sender test above comes first.
            if (facts.AutoReplyMarker is { } marker)
            {
                return BounceReport.NotABounce($"an automatic reply ({marker}), not a delivery failure");
            }

            // Last chance: the wording MTAs put in notices ("could not be delivered", "The following address(es)
            // failed", "qmail-send program") in the first text part, for notices sent from an unusual address.
            if (!BounceText.HasBounceWording(facts.Text))
            {
                return BounceReport.NotABounce("ordinary mail: no delivery-status report, no mail-system sender, no bounce subject or wording");
            }
        }

        var recipients = BounceText.Extract(facts);
        if (recipients.Count > 0)
        {
            return new BounceReport(true, recipients, null);
        }

        // A notice about a bounce (a gateway returning the DSN it received, attached or copied inline, or a person
        // forwarding one): the inner bounce says who failed and why. One level deep only.
        if (depth == 0 && Nested(parts, facts) is { IsBounce: true } nested)
        {
            return nested;
        }

        return BounceReport.NotABounce("a notice from a mail system that names no failed recipient with an SMTP reply or status code");
    }

    private static BounceReport? Nested(List<MimeEntity> parts, MessageFacts facts)
    {
        foreach (var part in parts.Where(IsAttachedMessage).Take(3))
        {
            using var attached = AttachedMessage(part);
            if (attached is not null && Read(attached, depth: 1) is { IsBounce: true } report)
            {
                return report;
            }
        }

        using var inline = facts.InlineMessage();
        return inline is null ? null : Read(inline, depth: 1);
    }

    /// <summary>Fills a DSN recipient without Diagnostic-Code from the human-readable part (some MTAs put the reply only there).</summary>
    private static List<BouncedRecipient> FillFromText(List<BouncedRecipient> fromDsn, MessageFacts facts)
    {
        // Sendmail keeps only the first line of a multi-line reply in Diagnostic-Code ("552-5.7.0 This message was
        // blocked because its content presents a potential"); its transcript in the notice has the rest.
        for (var i = 0; i < fromDsn.Count; i++)
        {
            if (BounceText.CompleteReply(facts, fromDsn[i].Response) is { } complete)
            {
                fromDsn[i] = fromDsn[i] with { Response = complete };
            }
        }

        return fromDsn.TrueForAll(r => r.Response is not null) ? fromDsn : Fill(fromDsn, BounceText.Extract(facts), facts);
    }

    /// <summary>Recipients from DSN fields without a reply get the reply the text gives for the same address (or the only one).</summary>
    internal static List<BouncedRecipient> Fill(List<BouncedRecipient> fromFields, List<BouncedRecipient> fromText, MessageFacts facts)
    {
        var result = new List<BouncedRecipient>(fromFields.Count);
        foreach (var r in fromFields)
        {
            if (r.Response is not null)
            {
                result.Add(r);
                continue;
            }

            var match = fromText.Find(t => Useful(t) && string.Equals(t.Recipient, r.Recipient, StringComparison.OrdinalIgnoreCase))
                ?? (fromFields.Count == 1 && fromText.Count == 1 && Useful(fromText[0]) ? fromText[0] : null)
                ?? (fromFields.Count == 1 ? BounceText.FirstReply(facts, r.Recipient, r.Status) : null);
            result.Add(match is null ? r : r with
            {
                SmtpCode = r.SmtpCode ?? match.SmtpCode,
                EnhancedCode = PreferSpecific(r.EnhancedCode, match.EnhancedCode),
                Response = match.Response,
                RemoteMta = r.RemoteMta ?? match.RemoteMta,
            });
        }

        return result;
    }

    /// <summary>A reading of the notice's text worth adding to DSN fields: not merely the fields again ("Action: delayed", "; Status: ...").</summary>
    private static bool Useful(BouncedRecipient fromText) =>
        fromText.Response is { } text && !FieldsAgain().IsMatch(text);

    /// <summary>
    /// The Status field is the reporting MTA's summary; a generic X.0.0 there while the quoted reply has a specific code
    /// of the same class ("Status: 5.0.0" over "550 5.7.1 ...") loses information, so the reply's wins then.
    /// </summary>
    private static string? PreferSpecific(string? status, string? fromReply) =>
        status is null || (status.EndsWith(".0.0", StringComparison.Ordinal) && fromReply is { Length: > 0 } e && e[0] == status[0] && !e.EndsWith(".0.0", StringComparison.Ordinal))
            ? fromReply ?? status
            : status;

    private static bool IsReport(MimeEntity? body, string reportType) =>
        body is MultipartReport report && string.Equals(report.ReportType?.Trim(), reportType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The entities of the message in order, without descending into attached messages (the returned original could itself be a bounce).</summary>
    internal static List<MimeEntity> Flatten(MimeEntity? body)
    {
        var result = new List<MimeEntity>();
        if (body is null)
        {
            return result;
        }

        var stack = new Stack<MimeEntity>();
        stack.Push(body);
        var repairs = 0;
        while (stack.Count > 0 && result.Count < MaxParts)
        {
            var entity = stack.Pop();
            if (entity is Multipart { Count: 0 } empty && repairs++ < 4 && Repair(empty) is { } repaired)
            {
                entity = repaired;
            }

            result.Add(entity);
            if (entity is Multipart multipart)
            {
                for (var i = Math.Min(multipart.Count, MaxParts) - 1; i >= 0; i--)
                {
                    stack.Push(multipart[i]);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// A multipart whose declared boundary never occurs (seen when a relay or an anonymiser rewrote one side) has
    /// no parts and the whole body as preamble. If the preamble has "--token" delimiter lines, the body is parsed
    /// again with that boundary, so the report's structure is read instead of guessed from text.
    /// </summary>
    private static MimeEntity? Repair(Multipart multipart)
    {
        var preamble = multipart.Preamble;
        if (string.IsNullOrEmpty(preamble) || preamble.Length > MaxRepairChars)
        {
            return null; // a notice is small; a huge body without delimiters is read as text, not parsed twice
        }

        var delimiter = BoundaryLine().Match(preamble.Length > MaxTextChars ? preamble[..MaxTextChars] : preamble);
        if (!delimiter.Success)
        {
            return null;
        }

        var reportType = multipart is MultipartReport { ReportType: { } r } && ReportTypeValue().IsMatch(r) ? $"; report-type={r}" : "";
        var text = $"Content-Type: {multipart.ContentType.MimeType}{reportType}; boundary=\"{delimiter.Groups[1].Value}\"\n\n{preamble}";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var entity = new MimeParser(Options, stream, MimeFormat.Entity, persistent: false).ParseEntity();
        return entity is Multipart { Count: > 0 } ? entity : null;
    }

    private static IEnumerable<List<KeyValuePair<string, string>>> StatusGroups(MimeEntity part)
    {
        if (part is MessageDeliveryStatus dsn)
        {
            // Only the per-recipient fields read below are decoded (MimeKit decodes a header's value on first access).
            return dsn.StatusGroups.Select(g => g.Where(h => FieldName(h.Field) is not null).Select(h => KeyValuePair.Create(h.Field, h.Value ?? "")).ToList());
        }

        // message/global-delivery-status that MimeKit did not map: read the fields ourselves.
        return part is MimePart { Content: not null } mimePart ? BounceText.FieldGroups(BounceText.Lines(ReadText(mimePart))) : [];
    }

    /// <summary>
    /// Per-recipient groups of RFC 3464 fields → recipients. Every group with a Final-Recipient or Original-Recipient
    /// counts (broken DSNs put them in the per-message group or run two recipients together without a blank line:
    /// a repeated recipient field starts a new recipient).
    /// </summary>
    internal static List<BouncedRecipient> FromFieldGroups(IEnumerable<List<KeyValuePair<string, string>>> groups, Func<DeliveryStatus> fallbackStatus)
    {
        var result = new List<BouncedRecipient>();
        foreach (var group in groups)
        {
            var fields = new RecipientFields();
            foreach (var (name, value) in group)
            {
                if (result.Count >= MaxRecipients)
                {
                    return result;
                }

                switch (FieldName(name))
                {
                    case "FINAL-RECIPIENT":
                        if (fields.Final is not null)
                        {
                            Add(result, fields, fallbackStatus);
                            fields = new RecipientFields();
                        }

                        fields.Final = value;
                        break;
                    case "ORIGINAL-RECIPIENT":
                        if (fields.Original is not null)
                        {
                            Add(result, fields, fallbackStatus);
                            fields = new RecipientFields();
                        }

                        fields.Original = value;
                        break;
                    case "ACTION":
                        fields.Action ??= value;
                        break;
                    case "STATUS":
                        fields.Status ??= value;
                        break;
                    case "REMOTE-MTA":
                        fields.RemoteMta ??= value;
                        break;
                    case "DIAGNOSTIC-CODE":
                        fields.Diagnostic ??= value;
                        break;
                    default:
                        break;
                }
            }

            Add(result, fields, fallbackStatus);
        }

        return result;
    }

    /// <summary>The RFC 3464 per-recipient field a header name is, in upper case, without allocating for the ones that are not.</summary>
    private static string? FieldName(string name)
    {
        var trimmed = name.AsSpan().Trim();
        foreach (var known in (ReadOnlySpan<string>)["FINAL-RECIPIENT", "ORIGINAL-RECIPIENT", "ACTION", "STATUS", "REMOTE-MTA", "DIAGNOSTIC-CODE"])
        {
            if (trimmed.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    private static void Add(List<BouncedRecipient> result, RecipientFields f, Func<DeliveryStatus> fallbackStatus)
    {
        var recipient = CleanAddress(f.Final) ?? CleanAddress(f.Original);
        if (recipient is null || result.Count >= MaxRecipients)
        {
            return;
        }

        var diagnostic = f.Diagnostic is null ? null : Clean(StripType(f.Diagnostic), DeliveryOutcome.MaxResponseLength);
        var reply = BounceText.ReplyCodes(diagnostic);
        var enhanced = PreferSpecific(EnhancedCode(f.Status), reply.Enhanced);
        result.Add(new BouncedRecipient(
            recipient,
            ActionStatus(f.Action) ?? ClassStatus(enhanced) ?? ClassStatus(reply.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? fallbackStatus(),
            reply.Code,
            enhanced,
            string.IsNullOrEmpty(diagnostic) ? null : diagnostic,
            string.IsNullOrWhiteSpace(f.RemoteMta) ? null : Clean(f.RemoteMta, MaxHostLength)));
    }

    private static DeliveryStatus? ActionStatus(string? action) => action?.Trim().ToLowerInvariant() switch
    {
        "failed" => DeliveryStatus.Bounced,
        "delayed" => DeliveryStatus.Deferred,
        "delivered" or "relayed" or "expanded" => DeliveryStatus.Delivered,
        _ => null,
    };

    private static DeliveryStatus? ClassStatus(string? code) => code is { Length: > 0 }
        ? code[0] switch
        {
            '5' => DeliveryStatus.Bounced,
            '4' => DeliveryStatus.Deferred,
            '2' => DeliveryStatus.Delivered,
            _ => null,
        }
        : null;

    /// <summary>"5.1.1" (RFC 3463 class.subject.detail), else null.</summary>
    internal static string? EnhancedCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var match = EnhancedCodeOnly().Match(text.Length > 64 ? text[..64] : text);
        return match.Success ? match.Value : null;
    }

    /// <summary>"rfc822; &lt;a@b&gt;" → "a@b": the address type, angle brackets and quotes go; bounded.</summary>
    internal static string? CleanAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Length > 2 * MaxAddressLength ? value[..(2 * MaxAddressLength)] : value;
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0 && semicolon < 20)
        {
            text = text[(semicolon + 1)..];
        }

        text = Clean(text, MaxAddressLength).Trim().Trim('<', '>', '"', '\'', ' ', '.', ',', ':');
        return text.Length == 0 ? null : text;
    }

    /// <summary>"smtp; 550 ..." → "550 ...": the diagnostic type (smtp, X-Postfix, X-Unix, ...) goes.</summary>
    internal static string StripType(string value)
    {
        var match = DiagnosticType().Match(value);
        return match.Success ? value[match.Length..] : value;
    }

    internal static string? DomainOf(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var at = address.LastIndexOf('@');
        if (at < 0 || at == address.Length - 1)
        {
            return null;
        }

        var domain = address[(at + 1)..].Trim().TrimEnd('.', '>').ToLowerInvariant();
        return domain.Length is > 0 and <= MaxHostLength ? domain : null;
    }

    /// <summary>"dns; mx.example.com [192.0.2.1]" → "mx.example.com"; "dns;[192.0.2.1]" → "192.0.2.1".</summary>
    internal static string? HostOf(string? remoteMta)
    {
        if (string.IsNullOrWhiteSpace(remoteMta))
        {
            return null;
        }

        var text = remoteMta.Trim();
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0 && semicolon < 20)
        {
            text = text[(semicolon + 1)..].Trim();
        }

        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            text = close > 1 ? text[1..close] : text.TrimStart('[');
        }
        else
        {
            var end = text.IndexOfAny([' ', '\t', '[', '(']);
            text = end > 0 ? text[..end] : text;
        }

        text = text.Trim().TrimEnd('.').ToLowerInvariant();
        return text.Length is > 0 and <= MaxHostLength ? text : null;
    }

    /// <summary>Whitespace runs (line breaks included) to one space, control characters dropped, cut to <paramref name="max"/>.</summary>
    internal static string Clean(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(text.Length, max));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                if (builder.Length + 1 >= max)
                {
                    break;
                }

                builder.Append(' ');
                space = false;
            }

            if (builder.Length >= max)
            {
                break;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The decoded text of a part, from at most <see cref="MaxTextChars"/> bytes of it: the declared charset when it is
    /// known, else UTF-8 when the bytes are valid UTF-8, else Latin-1 (which never fails), as MimeKit does. Only the
    /// head is read, into a pooled buffer: notices say what failed first, and a large part costs no more than a small one.
    /// </summary>
    internal static string ReadText(MimePart part)
    {
        if (part.Content is null)
        {
            return "";
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxTextChars);
        try
        {
            var total = 0;
            using (var decoded = part.Content.Open())
            {
                int n;
                while (total < MaxTextChars && (n = decoded.Read(buffer, total, MaxTextChars - total)) > 0)
                {
                    total += n;
                }
            }

            var text = Decode(buffer.AsSpan(0, total), part.ContentType);
            return part.ContentType.IsMimeType("text", "html") ? HtmlToText(text) : text;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes, ContentType type)
    {
        Encoding? declared;
        try
        {
            declared = type.CharsetEncoding;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            declared = null;
        }

        if (declared is not null && declared.CodePage != Encoding.UTF8.CodePage)
        {
            return declared.GetString(bytes);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Invalid UTF-8; or valid UTF-8 cut in the middle of a character at the read limit: either way Latin-1 keeps
            // every ASCII byte, which is what the heuristics read.
            return Encoding.Latin1.GetString(bytes);
        }
    }

    /// <summary>Enough HTML-to-text for Exchange/Office 365 notices: block tags become line breaks, other tags go, entities decode.</summary>
    private static string HtmlToText(string html)
    {
        var text = HtmlBreak().Replace(html, "\n");
        text = HtmlTag().Replace(text, "");
        return WebUtility.HtmlDecode(text);
    }

    [GeneratedRegex(@"^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex BoundaryLine();

    [GeneratedRegex(@"^(?:[;:,.]|(?:Final-Recipient|Original-Recipient|Action|Status|Remote-MTA|Reporting-MTA|Diagnostic-Code|Last-Attempt-Date)\s*:)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldsAgain();

    [GeneratedRegex(@"^[a-z0-9-]{1,40}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReportTypeValue();

    [GeneratedRegex(@"^\s*[a-z0-9][a-z0-9-]{0,20}\s*;\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DiagnosticType();

    [GeneratedRegex(@"[245]\.\d{1,3}\.\d{1,3}", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedCodeOnly();

    [GeneratedRegex(@"<\s*(?:br|/p|/div|/tr|/li|/h\d|/table|p|div|tr|li)\b[^>]{0,200}>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlBreak();

    [GeneratedRegex(@"<[^>]{0,2000}>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    private sealed class RecipientFields
    {
        public string? Final { get; set; }

        public string? Original { get; set; }

        public string? Action { get; set; }

        public string? Status { get; set; }

        public string? RemoteMta { get; set; }

        public string? Diagnostic { get; set; }
    }
}

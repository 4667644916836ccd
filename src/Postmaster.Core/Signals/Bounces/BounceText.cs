using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Postmaster.Core.Signals.Bounces;

/// <summary>
/// Heuristics for notices that are not RFC 3464 DSNs: the failed recipients and the remote server's reply
/// are read from the first text part. They rest on what such notices have in common rather than on one
/// parser per MTA (the corpus has some 70 formats):
/// <list type="bullet">
/// <item>The failure text comes before the returned message, which is introduced by a separator line
/// ("------ This is a copy of the message", "--- Below this line is a copy of the message.", "Original message
/// headers:", ...) or starts with its own Received:/Return-Path: headers. Reading stops there, so addresses and
/// codes in the returned message are never taken for the failure.</item>
/// <item>Each failed recipient is named in a recognisable position: alone on a line or at its start (Exim, qmail,
/// Yahoo, Gmail, OpenSMTPD, McAfee, Exchange 2003, Zoho, Domino), after a phrase ("There was an error delivering
/// your mail to &lt;...&gt;", "Did not reach the following recipient:", "Recipient:", "RCPT TO:&lt;...&gt;"), after a
/// failure label ("Unknown user: a@b", IMail), in Sendmail's "554 &lt;a@b&gt;... reason" result lines, or in
/// X-Failed-Recipients (which then decides: Exim and Gmail list every failed address there). The text after it, up
/// to the next recipient, is its block. The bounce's own addressee named in the text is the sender ("A message sent
/// by &lt;...&gt;"), unless no one else is named.</item>
/// <item>In a block the reply is the first SMTP reply: a code with an enhanced code ("550 5.1.1", "550-5.7.26",
/// "550: 5.2.2"), or a code at the start of a line or after "said:", "reason:", "]:" (Exim's "host x [ip]: 550"),
/// "&lt;&lt;&lt;" (session transcripts), "ERROR_CODE :", or an enhanced code starting a line ("5.2.2 &lt;a@b&gt;...
/// Mailbox Full", GMX). The reply runs to the end of its paragraph or to a line with another reply code. A block
/// without a reply gives its own text as the reason ("retry timeout exceeded") and any enhanced code in it ("(#5.1.1)");
/// a reply above the list of recipients (Apache James, Verizon) counts for the first one.</item>
/// <item>Notices with embedded RFC 3464 fields in the text (Amazon WorkMail, some Postfix) are read as fields; a
/// forwarded notice ("&gt; " quoting) is unquoted first.</item>
/// </list>
/// Everything runs on bounded lines (<see cref="MaxLineLength"/>, <see cref="MaxLines"/>) of bounded text, with patterns
/// that cannot backtrack badly (no nested quantifiers over the same characters; see the hostile-input tests).
/// </summary>
internal static partial class BounceText
{
    private const int MaxLines = 2000;
    private const int MaxLineLength = 1000;
    private const int MaxReplyLines = 12;

    public static bool HasBounceWording(string text) =>
        text.Length > 0 && BounceWording().IsMatch(text.Length > 8000 ? text[..8000] : text);

    /// <summary>The text's lines, each cut to a bounded length.</summary>
    public static List<string> Lines(string text) => Lines(text, stopAtReturnedMessage: false, out _);

    /// <summary>
    /// The text's lines, each cut to a bounded length; with <paramref name="stopAtReturnedMessage"/>, only those before the
    /// returned message (a separator line that introduces it, or its first header line), and where in the text it starts.
    /// </summary>
    public static List<string> Lines(string text, bool stopAtReturnedMessage, out int returnedMessageAt)
    {
        var lines = new List<string>();
        var start = 0;
        returnedMessageAt = text.Length;
        while (start <= text.Length && lines.Count < MaxLines)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            var span = text.AsSpan(start, end - start).TrimEnd('\r');
            var line = span.Length > MaxLineLength ? span[..MaxLineLength].ToString() : span.ToString();
            if (stopAtReturnedMessage && lines.Count > 0 && StartsReturnedMessage(line))
            {
                returnedMessageAt = start;
                break;
            }

            lines.Add(line);
            start = end + 1;
        }

        return lines;
    }

    public static List<BouncedRecipient> Extract(MessageFacts facts)
    {
        var lines = facts.Lines;
        var status = facts.Delay ? DeliveryStatus.Deferred : DeliveryStatus.Bounced;

        // Embedded RFC 3464 fields (Amazon WorkMail's "Technical report:", Postfix text-only DSNs).
        List<BouncedRecipient>? embedded = null;
        if (lines.Exists(l => EmbeddedRecipientField().IsMatch(l)))
        {
            embedded = BounceParser.FromFieldGroups(FieldGroups(lines), () => status);
            if (embedded.TrueForAll(r => r.Response is not null))
            {
                return embedded;
            }
        }

        var fromText = FromText(lines, facts, status);
        return embedded is { Count: > 0 } ? BounceParser.Fill(embedded, fromText, facts) : fromText;
    }

    private static List<BouncedRecipient> FromText(List<string> lines, MessageFacts facts, DeliveryStatus status)
    {
        var blocks = Blocks(lines, facts);
        var result = new List<BouncedRecipient>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            var recipient = FromBlock(lines, block, status, b == 0);
            if (seen.TryGetValue(block.Address, out var index))
            {
                // The same recipient again (Mail.ru repeats the notice in two languages): keep the better reading.
                if (result[index].SmtpCode is null && recipient.SmtpCode is not null)
                {
                    result[index] = recipient;
                }

                continue;
            }

            seen[block.Address] = result.Count;
            result.Add(recipient);
            if (result.Count >= BounceParser.MaxRecipients)
            {
                break;
            }
        }

        // Recipients the headers name but the text does not put in a recognisable place: the notice's first reply.
        var missing = facts.FailedRecipients.Where(a => !seen.ContainsKey(a)).ToList();
        if (missing.Count > 0 || result.Count == 0)
        {
            var first = FirstReply(lines, 0, lines.Count);
            foreach (var address in missing.Take(BounceParser.MaxRecipients - result.Count))
            {
                result.Add(first is null
                    ? new BouncedRecipient(address, status, null, null, WholeText(lines), null)
                    : new BouncedRecipient(address, status, first.Code, first.Enhanced, first.Text, first.RemoteMta));
            }

            // Last resort (a transcript without any recipient line, e.g. old Sendmail): the returned message's only
            // recipient, but only with an actual reply code, so a notice about something else is not taken for a bounce.
            if (result.Count == 0 && first is { Code: not null } && facts.OriginalRecipient() is { } original && !string.Equals(original, facts.Daemon, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(new BouncedRecipient(original, status, first.Code, first.Enhanced, first.Text, first.RemoteMta));
            }
        }

        // A recipient with neither a reply, a code nor any reason text is not evidence of a failure.
        result.RemoveAll(r => r.Response is null && r.SmtpCode is null && r.EnhancedCode is null);
        return result;
    }

    /// <summary>The first SMTP reply anywhere in the notice (for a DSN whose fields quote none).</summary>
    public static BouncedRecipient? FirstReply(MessageFacts facts, string? recipient, DeliveryStatus status) =>
        FirstReply(facts.Lines, 0, facts.Lines.Count) is { } reply ? new BouncedRecipient(recipient, status, reply.Code, reply.Enhanced, reply.Text, reply.RemoteMta) : null;

    /// <summary>
    /// A notice forwarded as a quotation ("&gt; " before every line, "Begin forwarded message:") reads like the notice
    /// itself: one level of quoting goes when most lines carry it.
    /// </summary>
    public static string Unquote(string text)
    {
        if (!text.StartsWith('>') && !text.Contains("\n>", StringComparison.Ordinal))
        {
            return text;
        }

        var head = text.Length > 8000 ? text[..8000] : text;
        var quoted = QuotedLine().Count(head);
        var nonEmpty = NonEmptyLine().Count(head);
        return quoted >= 5 && quoted * 2 >= nonEmpty ? QuotePrefix().Replace(text, "") : text;
    }

    /// <summary>True when the text opens with a header block (a message copied inline).</summary>
    public static bool StartsWithHeader(string text) => InlineHeader().IsMatch(text.Length > 200 ? text[..200] : text);

    /// <summary>SMTP code and enhanced code at the start of a reply ("550 5.7.1 ...", "550-5.7.26 ...") or anywhere in it.</summary>
    public static (int? Code, string? Enhanced) ReplyCodes(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return (null, null);
        }

        var head = reply.Length > 400 ? reply[..400] : reply;
        var strong = StrongReply().Match(head);
        if (strong.Success)
        {
            return (ParseCode(strong.Groups[1].Value), strong.Groups[2].Value);
        }

        var leading = LeadingCode().Match(head);
        if (!leading.Success)
        {
            leading = IntroducedReply().Match(head); // "host mx[ip] said: 550 ...", "refused to talk to me: 421 ..."
        }

        var enhanced = EnhancedAlone().Match(head);
        return (leading.Success ? ParseCode(leading.Groups[1].Value) : null, enhanced.Success ? enhanced.Groups[1].Value : null);
    }

    /// <summary>RFC 3464-style "Name: value" groups in plain text: blank lines separate groups, indented lines continue a field.</summary>
    public static List<List<KeyValuePair<string, string>>> FieldGroups(List<string> lines)
    {
        var groups = new List<List<KeyValuePair<string, string>>>();
        var current = new List<KeyValuePair<string, string>>();
        var started = false;
        foreach (var line in lines)
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    groups.Add(current);
                    current = [];
                }

                continue;
            }

            if (current.Count > 0 && line.Length > 0 && line[0] is ' ' or '\t')
            {
                var last = current[^1];
                current[^1] = KeyValuePair.Create(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var match = FieldLine().Match(line);
            if (match.Success)
            {
                started = true;
                current.Add(KeyValuePair.Create(match.Groups[1].Value, match.Groups[2].Value));
            }
            else if (started && current.Count > 0)
            {
                groups.Add(current);
                current = [];
            }
        }

        if (current.Count > 0)
        {
            groups.Add(current);
        }

        return groups;
    }

    /// <summary>A separator line that introduces the returned message, or the first header line of a copy of it.</summary>
    private static bool StartsReturnedMessage(string line) =>
        line.Length > 0 && (ReturnedMessageMarker().IsMatch(line) || (char.IsAsciiLetter(line[0]) && line.Contains(':', StringComparison.Ordinal) && ReturnedHeader().IsMatch(line)));

    private static List<Block> Blocks(List<string> lines, MessageFacts facts)
    {
        var blocks = new List<Block>();
        Block? current = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var (address, end, label, phrase) = RecipientOn(lines[i]);
            if (address is null || string.Equals(address, facts.Daemon, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Exim and Gmail list the failed addresses in X-Failed-Recipients: then only those start a block.
            if (facts.FailedRecipients.Count > 0 && !facts.FailedRecipients.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (current is not null && string.Equals(current.Address, address, StringComparison.OrdinalIgnoreCase))
            {
                continue; // the reply repeats the recipient: same block
            }

            if (current is not null)
            {
                current.End = i;
            }

            current = new Block(address, i, end, label, phrase) { End = lines.Count };
            blocks.Add(current);
        }

        // The bounce's own addressee named in the text is the sender ("A message sent by <sender>"), unless no one else is named.
        if (blocks.Exists(b => !facts.IsOwnRecipient(b.Address)))
        {
            for (var i = blocks.Count - 1; i >= 0; i--)
            {
                if (facts.IsOwnRecipient(blocks[i].Address))
                {
                    if (i > 0)
                    {
                        blocks[i - 1].End = blocks[i].End;
                    }

                    blocks.RemoveAt(i);
                }
            }
        }

        return blocks;
    }

    private static BouncedRecipient FromBlock(List<string> lines, Block block, DeliveryStatus status, bool first)
    {
        // Some notices give the reply before the list of recipients (Apache James, Verizon): for the first recipient
        // a reply in the text above it counts when its own block has none.
        Reply? reply;
        if (block.Column == 0 && SendmailStatusLine().IsMatch(lines[block.Line]))
        {
            // Sendmail's "554 <rcpt>... Remote protocol error" sums up; the server's own words are the "<<< 550 ..." lines
            // of the transcript just above it, if any (back to the command that drew them or another recipient's line).
            reply = TranscriptReplyAbove(lines, block.Line) ?? FirstReply(lines, block.Line, block.Line + 1);
        }
        else
        {
            reply = FirstReply(lines, block.Line, block.End, block.Column, block.Address) ?? (first ? FirstReply(lines, 0, block.Line) : null);
        }

        if (reply is not null)
        {
            return new BouncedRecipient(block.Address, status, reply.Code, reply.Enhanced, reply.Text, reply.RemoteMta ?? RemoteMta(lines, block.Line, block.End));
        }

        // No reply quoted: the failure label before the address, the text after it, the line above it, or at least the
        // phrase that named it ("Did not reach the following recipient:").
        var reason = block.Label ?? Reason(lines, block.Line, block.End, block.Column) ?? ReasonBefore(lines, block.Line)
            ?? (block.Phrase ? BounceParser.Clean(lines[block.Line], DeliveryOutcome.MaxResponseLength) : null);
        var enhanced = reason is null ? null : EnhancedAlone().Match(reason) is { Success: true } m ? m.Groups[1].Value : null;
        return new BouncedRecipient(block.Address, status, null, enhanced, reason, RemoteMta(lines, block.Line, block.End));
    }

    /// <summary>The first SMTP reply in lines [from, to), with its continuation up to the end of its paragraph.</summary>
    private static Reply? FirstReply(List<string> lines, int from, int to, int firstColumn = 0, string? recipient = null)
    {
        for (var i = from; i < to; i++)
        {
            var line = lines[i];
            var offset = i == from ? Math.Min(firstColumn, line.Length) : 0;
            var segment = line[offset..];
            if (segment.AsSpan().IndexOfAnyInRange('2', '5') < 0)
            {
                continue; // no reply code can start here
            }

            var strong = StrongReply().Match(segment);
            var intro = IntroducedReply().Match(segment);
            Match? match = strong.Success && (!intro.Success || strong.Index <= intro.Groups[1].Index) ? strong : intro.Success ? intro : null;
            if (match is null)
            {
                // A reply quoted without its SMTP code ("5.2.2 <user@example.com>... Mailbox Full": GMX, Mimecast).
                match = LeadingEnhanced().Match(segment);
                if (!match.Success)
                {
                    continue;
                }
            }

            var codeGroup = match.Groups[1];
            var text = new StringBuilder(segment[codeGroup.Index..]);
            for (var j = i + 1; j < to && j <= i + MaxReplyLines; j++)
            {
                // Session transcripts quote the server with "<<< " on every line of a multi-line reply.
                var next = Transcript(lines[j]);
                if (next.Trim().Length == 0 || Separator().IsMatch(next) || OtherCode(next, codeGroup.Value)
                    || RecipientOn(next).Address is { } other && !string.Equals(other, recipient, StringComparison.OrdinalIgnoreCase) && !segment.Contains(other, StringComparison.OrdinalIgnoreCase) && !Mentions(text, other))
                {
                    break;
                }

                text.Append(' ').Append(next.Trim());
            }

            var cleaned = BounceParser.Clean(text.ToString(), DeliveryOutcome.MaxResponseLength);
            var codes = ReplyCodes(cleaned);
            var enhancedOnly = codeGroup.Value.Contains('.', StringComparison.Ordinal);
            return new Reply(
                enhancedOnly ? null : ParseCode(codeGroup.Value),
                enhancedOnly ? codeGroup.Value : match == strong ? strong.Groups[2].Value : codes.Enhanced,
                cleaned,
                RemoteMta(lines, Math.Max(from, i - 3), i + 1));
        }

        return null;
    }

    private static Reply? TranscriptReplyAbove(List<string> lines, int line)
    {
        var start = -1;
        for (var i = line - 1; i >= 0 && i >= line - 8; i--)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith(">>>", StringComparison.Ordinal) || SendmailStatusLine().IsMatch(lines[i]) || trimmed.Length == 0)
            {
                break;
            }

            if (trimmed.StartsWith("<<<", StringComparison.Ordinal))
            {
                start = i;
            }
        }

        if (start < 0)
        {
            return null;
        }

        var reply = FirstReply(lines, start, line, firstColumn: lines[start].IndexOf("<<<", StringComparison.Ordinal) + 3);
        return reply is null ? null : reply with { RemoteMta = reply.RemoteMta ?? RemoteMta(lines, Math.Max(0, start - 3), start + 1) };
    }

    /// <summary>
    /// The full multi-line reply a DSN's Diagnostic-Code cut after its first line (Sendmail writes "552-5.7.0 first line"
    /// only), from the session transcript in the notice ("&lt;&lt;&lt; 552-5.7.0 first line", "&lt;&lt;&lt; 552-5.7.0 ...",
    /// "&lt;&lt;&lt; 552 5.7.0 last line"); null when the reply is complete or the transcript does not have it.
    /// </summary>
    public static string? CompleteReply(MessageFacts facts, string? partial)
    {
        if (partial is not { Length: > 4 } || !char.IsAsciiDigit(partial[0]) || partial[3] != '-' || FinalLine().IsMatch(partial))
        {
            return null;
        }

        var lines = facts.Lines;
        var code = partial[..3];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = Transcript(lines[i]).Trim();
            if (!line.StartsWith(partial, StringComparison.Ordinal))
            {
                continue;
            }

            var text = new StringBuilder(line);
            for (var j = i + 1; j < lines.Count && j <= i + MaxReplyLines; j++)
            {
                var next = Transcript(lines[j]).Trim();
                if (!next.StartsWith(code, StringComparison.Ordinal) || next.Length < 4 || next[3] is not ('-' or ' '))
                {
                    break;
                }

                text.Append(' ').Append(next);
                if (next[3] == ' ')
                {
                    break; // the last line of the reply
                }
            }

            var complete = BounceParser.Clean(text.ToString(), DeliveryOutcome.MaxResponseLength);
            return complete.Length > partial.Length ? complete : null;
        }

        return null;
    }

    private static string Transcript(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.StartsWith("<<<", StringComparison.Ordinal) ? trimmed[3..].ToString() : line;
    }

    /// <summary>A line that starts with a reply code other than the reply's own: the next reply, not a continuation.</summary>
    private static bool OtherCode(string line, string code)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.Length >= 4 && char.IsAsciiDigit(trimmed[0]) && char.IsAsciiDigit(trimmed[1]) && char.IsAsciiDigit(trimmed[2])
            && trimmed[3] is ' ' or '-' && code.Length == 3 && !trimmed.StartsWith(code, StringComparison.Ordinal);
    }

    private static bool Mentions(StringBuilder text, string address) => text.ToString().Contains(address, StringComparison.OrdinalIgnoreCase);

    /// <summary>A block's own text when it quotes no reply: the rest of the recipient line and the paragraph after it.</summary>
    private static string? Reason(List<string> lines, int from, int to, int firstColumn = 0)
    {
        var text = new StringBuilder();
        for (var i = from; i < to && i <= from + MaxReplyLines; i++)
        {
            var line = i == from ? lines[i][Math.Min(firstColumn, lines[i].Length)..] : lines[i];
            var trimmed = line.Trim().TrimStart(':', '>', ')', ' ');
            if (i == from && DateAfterAddress().IsMatch(trimmed))
            {
                continue; // Exchange 2003: "user@example.com on Thu, 29 Apr 2010 ..."
            }

            if (trimmed.Length == 0 || !trimmed.Any(char.IsLetterOrDigit) || Separator().IsMatch(trimmed))
            {
                // A paragraph ends the reason, unless it announced what follows ("For the following reason:", "because:").
                if (text.Length > 0 && text[^1] != ':')
                {
                    break;
                }

                continue;
            }

            text.Append(' ').Append(trimmed);
        }

        var cleaned = BounceParser.Clean(text.ToString(), DeliveryOutcome.MaxResponseLength);
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <summary>The whole notice before the returned message, folded and bounded (the reason when no line names the recipient).</summary>
    private static string? WholeText(List<string> lines)
    {
        var text = BounceParser.Clean(string.Join(' ', lines.Take(200)), DeliveryOutcome.MaxResponseLength);
        return text.Length == 0 ? null : text;
    }

    /// <summary>The line before a recipient that says why (EZweb, Lotus Notes put the reason first).</summary>
    private static string? ReasonBefore(List<string> lines, int line)
    {
        for (var i = line - 1; i >= 0 && i >= line - 3; i--)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0 || Separator().IsMatch(trimmed) || FieldLine().IsMatch(trimmed))
            {
                continue; // blank, a separator, or a header of the message described ("Date: ...")
            }

            return RecipientOn(lines[i]).Address is null ? BounceParser.Clean(trimmed, DeliveryOutcome.MaxResponseLength) : null;
        }

        return null;
    }

    private static string? RemoteMta(List<string> lines, int from, int to)
    {
        for (var i = from; i < to && i < from + 40; i++)
        {
            var line = lines[i];
            if (!line.Contains('[', StringComparison.Ordinal) && !line.Contains("host", StringComparison.OrdinalIgnoreCase) && !line.Contains("talking to", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = RemoteHost().Match(line);
            if (match.Success)
            {
                foreach (var group in match.Groups.Cast<Group>().Skip(1))
                {
                    if (group.Success)
                    {
                        return BounceParser.HostOf(group.Value);
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The address a line puts in recipient position, where it ends, a failure label before it ("Unknown user: a@b"),
    /// and whether a phrase introduced it; else nulls.
    /// </summary>
    private static (string? Address, int End, string? Label, bool Phrase) RecipientOn(string line)
    {
        if (!line.Contains('@', StringComparison.Ordinal))
        {
            return (null, 0, null, false); // most lines: no regex at all
        }

        string? label = null;
        var phrase = false;

        // Sendmail's per-recipient result line, "554 <user@example.com>... Remote protocol error: ...": the line is
        // the recipient's reply (End 0: the reply is read from the start of the line, and only that line).
        var status = SendmailStatusLine().Match(line);
        if (status.Success)
        {
            var statusAddress = status.Groups[1].Value;
            return statusAddress.Length <= BounceParser.MaxAddressLength ? (statusAddress, 0, null, false) : (null, 0, null, false);
        }

        var match = LeadingAddress().Match(line);
        if (!match.Success)
        {
            match = PhraseAddress().Match(line);
            phrase = match.Success;
        }

        if (!match.Success)
        {
            match = LabelledAddress().Match(line);
            if (!match.Success || !FailureWord().IsMatch(match.Groups["label"].Value))
            {
                return (null, 0, null, false);
            }

            label = BounceParser.Clean(match.Groups["label"].Value, 200);
        }

        var group = match.Groups[1];
        var address = group.Value.TrimEnd('.');
        return address.Length <= BounceParser.MaxAddressLength ? (address, group.Index + group.Length, label, phrase) : (null, 0, null, false);
    }

    private static int? ParseCode(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and < 600 ? code : null;

    private const string Host = @"[a-z0-9-]+(?:\.[a-z0-9-]+)+";

    private const string Address = @"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+";

    /// <summary>A line that starts with the address, after an optional label ("Recipient:", "-- ", "&gt;&gt;&gt; RCPT TO:").</summary>
    [GeneratedRegex(@"^\s*(?:(?:-{1,3}\s+|\*\s*|>>>\s*RCPT\s+TO:\s*|RCPT\s+TO:\s*|Recipient(?:\s+address)?:\s*|Failed\s+(?:address(?:es)?|recipients?):\s*|Address(?:es)?:\s*|Original-Recipient:\s*|Final-Recipient:\s*|rfc822;\s*)){0,3}<?""?(" + Address + @")""?>?(?:[\s:.,;(<\[]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingAddress();

    /// <summary>A phrase that introduces the failed recipient.</summary>
    [GeneratedRegex(@"(?:delivering your (?:mail|message) to|(?:could not|couldn't|cannot|can't|was not|wasn't|unable to) (?:be )?deliver(?:ed)?(?: (?:your |the |this )?(?:message|mail))? to|not (?:be )?delivered to|undeliverable to|did not reach the following recipient(?:\(s\))?|(?:following|failed|invalid|unknown) (?:recipient|address)(?:es|s|\(s\)|\(es\))?(?: [a-z]+){0,4}|recipient address|rcpt to|your message to|delivery to|(?:^|[\[,]\s*)Address|recipient)\s*:?\s*<?""?(" + Address + @")""?>?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PhraseAddress();

    /// <summary>"550 5.1.1", "550-5.7.26", "550: 5.2.2": a reply code with its enhanced code.</summary>
    [GeneratedRegex(@"(?<![\w.])([45]\d\d)(?:[ -]|:\s?)\s?([245]\.\d{1,3}\.\d{1,3})(?![\w.])", RegexOptions.CultureInvariant)]
    private static partial Regex StrongReply();

    /// <summary>A bare reply code where notices put one: line start, after "said:", "reason:", "]:", "&lt;&lt;&lt;", "ERROR_CODE :".</summary>
    [GeneratedRegex(@"(?:^\s*(?:<<<\s*|\(reason:\s*|-+\s+)?|(?:said|reason|returned was|responded as follows|response was|error was|failed with|responded with failure|Response Message\]|talk to me)\s*:?\s*\[?'?|\]:\s*|ERROR_CODE\s*:\s*|ResponseCode\s+|Remote Server returned\s+')([45]\d\d)(?=[\s:,\-]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IntroducedReply();

    [GeneratedRegex(@"^\s*([45]\d\d)(?=[\s:\-]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingCode();

    /// <summary>The last line of a multi-line reply joined into one: "... 550 5.7.1 ..." after "550-5.7.1 ...".</summary>
    [GeneratedRegex(@"\s[245]\d\d\s", RegexOptions.CultureInvariant)]
    private static partial Regex FinalLine();

    /// <summary>An enhanced status code on its own ("(#5.1.1)", "(5.1.1 ...)", "-- 5.4.1 ...").</summary>
    [GeneratedRegex(@"(?:^|[\s(#\[:])([245]\.\d{1,3}\.\d{1,3})(?![\w.])", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedAlone();

    /// <summary>The host named as the one that answered: Exim "host mx [ip]", Postfix "mx[ip] said", Sendmail "while talking to mx:", qmail "remote host ip said", Gmail "by mx. [ip]".</summary>
    [GeneratedRegex(@"(?:^|\s)host\s+(" + Host + @")\.?\s*[\[(]|(?<![a-z0-9.-])(" + Host + @")\.?\s*\[[0-9a-f.:]+\](?::\d+)?\s*(?:said|did not like|refused|failed|responded|:)|while talking to (" + Host + @")\.?:|remote host (" + Host + @") said|\sby (" + Host + @")\.?\s*\[[0-9.]+\]|host:\s*(" + Host + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RemoteHost();

    [GeneratedRegex(@"^\s*(?:-{2,}|={2,}|\*{3,}|#{3,}|\|-{3,}).*$|^\s*(?:-{2,}\s*)?(?:Transcript of session|The following addresses|Non-delivered information|Failure Reasons|Message log follows|Failed addresses follow)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^\s*(?:-+\s*|\|-+\s*)?(?:this is a copy of|below this line is a copy|below is a copy of the original|a copy of (?:the|your) (?:original )?message|original message (?:follows|headers)|message headers follow|the header of the original|headers of the original|original mail (?:follows|info|as follows)|returned message|unsent message follows|message text follows|included is a copy of the message|original message\s*-*\s*$|-+\s*original message)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReturnedMessageMarker();

    [GeneratedRegex(@"^(?:Received|Return-Path|X-Original-To|Delivered-To|DKIM-Signature|Message-I[Dd]|ARC-Seal)\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex ReturnedHeader();

    [GeneratedRegex(@"^\s*(?:Final-Recipient|Original-Recipient)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddedRecipientField();

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z0-9-]{1,40})\s*:\s*(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^on\s+(?:\w{3},?\s+)?\d", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateAfterAddress();

    [GeneratedRegex(@"could not be delivered|couldn't be delivered|was not delivered|wasn't delivered|undeliverable|delivery (?:has )?failed|following address(?:\(es\))? failed|permanent (?:fatal )?errors?|qmail-send program|did not reach the following|unable to deliver|delivery to the following recipients? failed|returned to sender|non-delivery", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BounceWording();

    [GeneratedRegex(@"^[45]\d\d <(" + Address + @")>\.\.\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SendmailStatusLine();

    /// <summary>"Unknown user: a@b", "User mailbox exceeds allowed size: a@b" (IMail): a label, then the address ending the line.</summary>
    [GeneratedRegex(@"^\s*(?<label>[^:<>@]{3,80}):\s*<?""?(" + Address + @")""?>?\s*\.?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LabelledAddress();

    [GeneratedRegex(@"unknown|invalid|exceed|full|fail|not |no |denied|reject|disabled|quota|error|undeliver|refused|expired", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FailureWord();

    /// <summary>A reply line that starts with the enhanced code ("5.2.2 &lt;a@b&gt;... Mailbox Full", "-- 5.4.1 Recipient address rejected").</summary>
    [GeneratedRegex(@"^\s*(?:-{1,3}\s+)?([245]\.\d{1,3}\.\d{1,3})(?=\s)", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingEnhanced();

    [GeneratedRegex(@"^>", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex QuotedLine();

    [GeneratedRegex(@"^\s*\S", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NonEmptyLine();

    [GeneratedRegex(@"^> ?", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex QuotePrefix();

    [GeneratedRegex(@"^(?:From [^\n]*\n)?[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]", RegexOptions.CultureInvariant)]
    private static partial Regex InlineHeader();

    private sealed class Block(string address, int line, int column, string? label, bool phrase)
    {
        public string Address { get; } = address;

        public int Line { get; } = line;

        public int Column { get; } = column;

        public string? Label { get; } = label;

        public bool Phrase { get; } = phrase;

        public int End { get; set; }
    }

    private sealed record Reply(int? Code, string? Enhanced, string Text, string? RemoteMta);
}

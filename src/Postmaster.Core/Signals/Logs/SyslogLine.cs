namespace Postmaster.Core.Signals.Logs;

/// <summary>
/// The header of a syslog line as syslogd, rsyslog or Postfix's own maillog_file write it:
/// "Nov 23 10:00:01 host program[pid]: message" or "2024-11-23T10:00:01.123456+00:00 host program[pid]: message".
/// </summary>
internal readonly ref struct SyslogLine
{
    private SyslogLine(DateTimeOffset time, ReadOnlySpan<char> program, ReadOnlySpan<char> message)
    {
        Time = time;
        Program = program;
        Message = message;
    }

    public DateTimeOffset Time { get; }

    /// <summary>The tag without its "[pid]": "postfix/smtp", "postfix-out/submission/smtpd", "exim".</summary>
    public ReadOnlySpan<char> Program { get; }

    public ReadOnlySpan<char> Message { get; }

    /// <summary>Whether a line starts like a syslog line at all (a timestamp in either form).</summary>
    public static bool LooksLikeSyslog(ReadOnlySpan<char> line) =>
        line.Length >= 15 && (char.IsAsciiLetterUpper(line[0]) || line[0] == '<' || (char.IsAsciiDigit(line[0]) && line.Length > 10 && line[10] == 'T'));

    /// <summary>
    /// Reads the header. False when the line has no valid timestamp and host; <paramref name="tagged"/> is false
    /// for a valid header with no "program:" tag (such as "-- MARK --").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> line, DateTimeOffset now, out SyslogLine result, out bool tagged)
    {
        result = default;
        tagged = false;
        var pos = 0;
        if (line.Length > 0 && line[0] == '<')
        {
            // A "<PRI>" prefix, as in a raw capture of syslog traffic.
            var close = line[..Math.Min(line.Length, 6)].IndexOf('>');
            if (close < 2 || !LogText.AllDigits(line[1..close]))
            {
                return false;
            }

            pos = close + 1;
        }

        var rest = line[pos..];
        DateTimeOffset time;
        int length;
        var parsed = rest.Length > 10 && char.IsAsciiDigit(rest[0])
            ? LogTimestamps.TryParseIso(rest, 'T', out time, out length)
            : LogTimestamps.TryParseClassic(rest, now, out time, out length);
        if (!parsed || length >= rest.Length || rest[length] != ' ')
        {
            return false;
        }

        rest = rest[(length + 1)..].TrimStart(' ');
        var hostEnd = rest.IndexOf(' ');
        if (hostEnd <= 0)
        {
            return false;
        }

        rest = rest[(hostEnd + 1)..];
        var colon = rest.IndexOf(':');
        var space = rest.IndexOf(' ');
        if (colon <= 0 || (space >= 0 && space < colon))
        {
            result = new SyslogLine(time, default, rest);
            return true;
        }

        var tag = rest[..colon];
        var bracket = tag.IndexOf('[');
        var program = bracket >= 0 ? tag[..bracket] : tag;
        var message = rest[(colon + 1)..];
        if (!message.IsEmpty && message[0] == ' ')
        {
            message = message[1..];
        }

        tagged = !program.IsEmpty;
        result = new SyslogLine(time, program, message);
        return true;
    }
}

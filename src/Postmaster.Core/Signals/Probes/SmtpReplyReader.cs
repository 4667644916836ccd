using System.Text;

namespace Postmaster.Core.Signals.Probes;

/// <summary>One SMTP reply: its code and its lines as received (control characters made spaces).</summary>
public sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The lines joined with spaces, as an MTA log shows a multi-line reply.</summary>
    public string Text => string.Join(' ', Lines);

    /// <summary>The RFC 3463 enhanced status code right after the code of the first line ("550 5.7.1 …" → "5.7.1").</summary>
    public string? EnhancedCode => SmtpReplyReader.ParseEnhancedCode(Lines.Count > 0 ? Lines[0] : "");

    public bool IsPositive => Code is >= 200 and < 300;
}

/// <summary>
/// Reads SMTP replies (RFC 5321 §4.2) from an untrusted server with every read bounded: a line
/// longer than <see cref="MaxLineLength"/>, a reply of more than <see cref="MaxReplyLines"/> lines or
/// <see cref="MaxReplyBytes"/> bytes, or a line that is not "ddd", "ddd text" or "ddd-text" ends the
/// read with an error instead of more reading. Time is bounded by the caller's token.
/// </summary>
public sealed class SmtpReplyReader(Stream stream)
{
    public const int MaxLineLength = 2000;
    public const int MaxReplyLines = 100;
    public const int MaxReplyBytes = 16 * 1024;

    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _line = new byte[MaxLineLength + 1];
    private int _start;
    private int _end;

    /// <summary>The next reply, or an error saying why there is none. Throws only <see cref="OperationCanceledException"/>, <see cref="IOException"/> or <see cref="System.Net.Sockets.SocketException"/>.</summary>
    public async Task<(SmtpReply? Reply, string? Error)> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        var bytes = 0;
        var code = 0;
        while (lines.Count < MaxReplyLines)
        {
            var (line, error) = await ReadLineAsync(ct);
            if (line is null)
            {
                return (null, error);
            }

            bytes += line.Length + 2;
            if (bytes > MaxReplyBytes)
            {
                return (null, $"the reply is longer than {MaxReplyBytes / 1024} KB");
            }

            if (!TryParseCode(line, out var lineCode, out var last))
            {
                return (null, $"the server sent something that is not an SMTP reply: \"{Excerpt(line)}\"");
            }

            code = code == 0 ? lineCode : code; // RFC 5321 wants one code per reply; the first line's wins if a server disagrees with itself
            lines.Add(line);
            if (last)
            {
                return (new SmtpReply(code, lines), null);
            }
        }

        return (null, $"the reply has more than {MaxReplyLines} lines");
    }

    /// <summary>"ddd", "ddd text" (last line) or "ddd-text" (more lines follow), with a first digit of 2 to 5.</summary>
    public static bool TryParseCode(string line, out int code, out bool last)
    {
        code = 0;
        last = false;
        if (line.Length < 3 || line[0] is < '2' or > '5' || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
        {
            return false;
        }

        if (line.Length > 3 && line[3] is not (' ' or '-'))
        {
            return false;
        }

        code = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        last = line.Length == 3 || line[3] == ' ';
        return true;
    }

    /// <summary>"550 5.7.1 text" → "5.7.1"; null when the text after the code does not start with class.subject.detail.</summary>
    public static string? ParseEnhancedCode(string line)
    {
        if (line.Length < 9)
        {
            return null;
        }

        var i = 4;
        if (line[i] is not ('2' or '4' or '5') || line[i + 1] != '.')
        {
            return null;
        }

        var start = i;
        i += 2;
        if (!Digits(line, ref i, 3) || i >= line.Length || line[i] != '.')
        {
            return null;
        }

        i++;
        if (!Digits(line, ref i, 3) || (i < line.Length && (char.IsAsciiLetter(line[i]) || (line[i] == '.' && i + 1 < line.Length && char.IsAsciiDigit(line[i + 1])))))
        {
            return null;
        }

        return line[start..i];
    }

    private static bool Digits(string text, ref int i, int max)
    {
        var first = i;
        while (i < text.Length && i - first < max && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > first && (i >= text.Length || !char.IsAsciiDigit(text[i]));
    }

    private async Task<(string? Line, string? Error)> ReadLineAsync(CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = (lf >= 0 ? lf : _end) - _start;
            if (length + take > _line.Length)
            {
                return (null, $"the server sent a line longer than {MaxLineLength} characters");
            }

            Array.Copy(_buffer, _start, _line, length, take);
            length += take;
            if (lf >= 0)
            {
                _start = lf + 1;
                if (length > 0 && _line[length - 1] == '\r')
                {
                    length--;
                }

                return length > MaxLineLength
                    ? (null, $"the server sent a line longer than {MaxLineLength} characters")
                    : (Printable(Encoding.UTF8.GetString(_line, 0, length)), null);
            }

            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            if (_end == 0)
            {
                return (null, length == 0 ? "the server closed the connection" : "the server closed the connection in the middle of a line");
            }
        }
    }

    private static string Printable(string text) =>
        text.Any(char.IsControl) ? new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()) : text;

    private static string Excerpt(string line) => line.Length > 80 ? line[..80] + "…" : line;
}

using System.Text;

namespace Postmaster.Core.Signals;

/// <summary>
/// Puts an SMTP reply into the form rules are written against: whitespace runs folded to one space,
/// the "550-" prefixes of continuation lines removed (RFC 5321 §4.2.1), bounded in length.
/// </summary>
public static class ResponseText
{
    public static string Fold(string? response)
    {
        if (string.IsNullOrEmpty(response))
        {
            return "";
        }

        var text = response.Length > DeliveryOutcome.MaxResponseLength ? response[..DeliveryOutcome.MaxResponseLength] : response;
        var builder = new StringBuilder(text.Length);
        var space = false;
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n')
            {
                lineStart = true;
                space = builder.Length > 0;
                continue;
            }

            // A continuation line repeats the code: "550-5.7.1 more text" → "5.7.1 more text" (first line keeps its code).
            if (lineStart && builder.Length > 0 && i + 3 < text.Length && char.IsAsciiDigit(c) && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && text[i + 3] is '-' or ' ')
            {
                i += 3;
                lineStart = false;
                continue;
            }

            lineStart = false;
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return RemoveRepeatedCodes(builder.ToString());
    }

    /// <summary>
    /// Logs join a multi-line reply into one line ("550-5.7.26 a 550-5.7.26 b 550 5.7.26 c"): the repeated
    /// code and enhanced code after the first line are dropped so a phrase reads as the receiver wrote it.
    /// </summary>
    private static string RemoveRepeatedCodes(string text)
    {
        if (text.Length < 4 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1]) || !char.IsAsciiDigit(text[2]) || text[3] is not ('-' or ' '))
        {
            return text;
        }

        var code = text[..3];
        var rest = text.AsSpan(4);
        var enhancedEnd = rest.IndexOf(' ');
        var enhanced = enhancedEnd > 4 && rest[0] is '2' or '4' or '5' && rest[1] == '.' ? rest[..enhancedEnd].ToString() : null;
        var result = text;
        if (enhanced is not null)
        {
            result = result.Replace($" {code}-{enhanced} ", " ", StringComparison.Ordinal).Replace($" {code} {enhanced} ", " ", StringComparison.Ordinal);
        }

        result = result.Replace($" {code}-", " ", StringComparison.Ordinal);
        return text[3] == '-' ? string.Concat(code, " ", result.AsSpan(4)) : result;
    }
}

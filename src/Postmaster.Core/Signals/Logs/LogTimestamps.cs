namespace Postmaster.Core.Signals.Logs;

/// <summary>The timestamp forms MTA logs use, parsed without allocating.</summary>
internal static class LogTimestamps
{
    /// <summary>
    /// "2024-11-23T10:00:01.123456+00:00" (RFC 3339, as rsyslog's high-precision format writes it) or
    /// "2024-11-23 10:00:01[.123][ +0100]" (Exim). Without a zone the time is taken as UTC.
    /// </summary>
    /// <param name="text">Text that starts with the timestamp.</param>
    /// <param name="separator">'T' for RFC 3339, ' ' for Exim.</param>
    /// <param name="time">The time.</param>
    /// <param name="length">How many characters the timestamp took.</param>
    public static bool TryParseIso(ReadOnlySpan<char> text, char separator, out DateTimeOffset time, out int length)
    {
        time = default;
        length = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] != separator || text[13] != ':' || text[16] != ':'
            || !TryNumber(text[..4], out var year) || !TryNumber(text.Slice(5, 2), out var month) || !TryNumber(text.Slice(8, 2), out var day)
            || !TryNumber(text.Slice(11, 2), out var hour) || !TryNumber(text.Slice(14, 2), out var minute) || !TryNumber(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var pos = 19;
        long fractionTicks = 0;
        if (pos < text.Length && text[pos] is '.' or ',')
        {
            pos++;
            var digits = 0;
            long scale = TimeSpan.TicksPerSecond;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                if (digits < 7)
                {
                    scale /= 10;
                    fractionTicks += (text[pos] - '0') * scale;
                }

                digits++;
                pos++;
            }

            if (digits == 0)
            {
                return false;
            }
        }

        var offset = TimeSpan.Zero;
        if (separator == 'T')
        {
            if (pos < text.Length && text[pos] is 'Z' or 'z')
            {
                pos++;
            }
            else if (pos + 6 <= text.Length && text[pos] is '+' or '-' && text[pos + 3] == ':'
                && TryNumber(text.Slice(pos + 1, 2), out var oh) && TryNumber(text.Slice(pos + 4, 2), out var om))
            {
                offset = new TimeSpan(oh, om, 0) * (text[pos] == '-' ? -1 : 1);
                pos += 6;
            }
        }
        else if (pos + 6 <= text.Length && text[pos] == ' ' && text[pos + 1] is '+' or '-'
            && TryNumber(text.Slice(pos + 2, 2), out var eh) && TryNumber(text.Slice(pos + 4, 2), out var em)
            && (pos + 6 == text.Length || text[pos + 6] == ' '))
        {
            offset = new TimeSpan(eh, em, 0) * (text[pos + 1] == '-' ? -1 : 1);
            pos += 6;
        }

        if (!TryCreate(year, month, day, hour, minute, second, fractionTicks, offset, out time))
        {
            return false;
        }

        length = pos;
        return true;
    }

    /// <summary>
    /// Classic syslog "Nov 23 10:00:01" (day space-padded or not): no year and no zone. The time is taken as
    /// UTC in the current year, or the year before when that would put it more than a day in the future
    /// (a December log read in January).
    /// </summary>
    public static bool TryParseClassic(ReadOnlySpan<char> text, DateTimeOffset now, out DateTimeOffset time, out int length)
    {
        time = default;
        length = 0;
        if (text.Length < 14 || text[3] != ' ')
        {
            return false;
        }

        var month = Month(text[..3]);
        if (month == 0)
        {
            return false;
        }

        var pos = 4;
        if (text[pos] == ' ')
        {
            pos++;
        }

        var dayStart = pos;
        while (pos < text.Length && pos - dayStart < 2 && char.IsAsciiDigit(text[pos]))
        {
            pos++;
        }

        if (pos == dayStart || !TryNumber(text[dayStart..pos], out var day) || pos + 9 > text.Length || text[pos] != ' '
            || text[pos + 3] != ':' || text[pos + 6] != ':'
            || !TryNumber(text.Slice(pos + 1, 2), out var hour) || !TryNumber(text.Slice(pos + 4, 2), out var minute) || !TryNumber(text.Slice(pos + 7, 2), out var second))
        {
            return false;
        }

        pos += 9;
        long fractionTicks = 0;
        if (pos < text.Length && text[pos] == '.')
        {
            var digits = 0;
            long scale = TimeSpan.TicksPerSecond;
            for (pos++; pos < text.Length && char.IsAsciiDigit(text[pos]); pos++, digits++)
            {
                if (digits < 7)
                {
                    scale /= 10;
                    fractionTicks += (text[pos] - '0') * scale;
                }
            }
        }

        var year = now.UtcDateTime.Year;
        if (!TryCreate(year, month, day, hour, minute, second, fractionTicks, TimeSpan.Zero, out time) || time > now.AddDays(1))
        {
            if (!TryCreate(year - 1, month, day, hour, minute, second, fractionTicks, TimeSpan.Zero, out time))
            {
                return false;
            }
        }

        length = pos;
        return true;
    }

    private static bool TryCreate(int year, int month, int day, int hour, int minute, int second, long fractionTicks, TimeSpan offset, out DateTimeOffset time)
    {
        time = default;
        if (year is < 1971 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60 || offset.Duration() > TimeSpan.FromHours(14))
        {
            return false;
        }

        // A leap second (:60) is read as the last instant of its minute.
        var ticks = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified).Ticks
            + (second == 60 ? TimeSpan.TicksPerSecond - 1 : fractionTicks);
        time = new DateTimeOffset(ticks, offset).ToUniversalTime();
        return true;
    }

    private static int Month(ReadOnlySpan<char> name) => name switch
    {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => 0,
    };

    private static bool TryNumber(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return !digits.IsEmpty;
    }
}

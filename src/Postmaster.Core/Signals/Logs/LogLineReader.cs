using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Postmaster.Core.Signals.Logs;

/// <summary>One line of an uploaded log, without its line ending.</summary>
/// <param name="Number">1-based line number in the stream.</param>
/// <param name="Text">The line, decoded as UTF-8 (invalid bytes become U+FFFD).</param>
/// <param name="Truncated">The line was longer than <see cref="LogLineReader.MaxLineLength"/> and was cut there.</param>
/// <param name="InvalidUtf8">The line held bytes that are not UTF-8 (they became U+FFFD in <paramref name="Text"/>).</param>
public sealed record LogLine(long Number, string Text, bool Truncated, bool InvalidUtf8 = false);

/// <summary>
/// Splits a log stream into lines with a fixed-size buffer, so an upload of any size (a busy server's day
/// is hundreds of MB) is read in constant memory.
/// </summary>
public static class LogLineReader
{
    /// <summary>Longest line kept, in UTF-8 bytes; the rest of a longer line is skipped up to its newline.</summary>
    public const int MaxLineLength = 64 * 1024;

    private const int BufferSize = 256 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Reads lines from a stream of any size without buffering it whole: invalid UTF-8 becomes U+FFFD, a line
    /// longer than <see cref="MaxLineLength"/> is cut (<see cref="LogLine.Truncated"/>, the rest of it skipped up
    /// to the newline), "\r\n" and "\n" both end lines, and a last line without a newline is still a line.
    /// A UTF-8 byte order mark at the start of the stream is dropped.
    /// </summary>
    public static async IAsyncEnumerable<LogLine> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var start = 0;
            var end = 0;
            var number = 0L;
            var skipping = false; // inside the cut-off rest of a long line
            var first = true;
            while (true)
            {
                while (start < end)
                {
                    var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                    if (skipping)
                    {
                        if (newline < 0)
                        {
                            start = end;
                            break;
                        }

                        start += newline + 1;
                        skipping = false;
                        continue;
                    }

                    if (newline < 0)
                    {
                        // +1: room for the '\r' of a "\r\n" that has not arrived yet.
                        if (end - start > MaxLineLength + 1)
                        {
                            yield return new LogLine(++number, Decode(buffer.AsSpan(start, MaxLineLength), truncated: true), true);
                            start = end;
                            skipping = true;
                        }

                        break;
                    }

                    var line = Line(buffer.AsSpan(start, newline), out var truncated, out var invalid);
                    start += newline + 1;
                    yield return new LogLine(++number, line, truncated, invalid);
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (first && read > 0)
                {
                    first = false;
                    end += read;
                    if (end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                    {
                        start = 3;
                    }

                    continue;
                }

                if (read == 0)
                {
                    if (!skipping && end > start)
                    {
                        var line = Line(buffer.AsSpan(start, end - start), out var truncated, out var invalid);
                        yield return new LogLine(++number, line, truncated, invalid);
                    }

                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Line(ReadOnlySpan<byte> bytes, out bool truncated, out bool invalid)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        truncated = bytes.Length > MaxLineLength;
        var kept = truncated ? bytes[..MaxLineLength][..CompleteLength(bytes[..MaxLineLength])] : bytes;
        invalid = !System.Text.Unicode.Utf8.IsValid(kept);
        return kept.IsEmpty ? "" : Utf8.GetString(kept);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, bool truncated)
    {
        if (truncated)
        {
            bytes = bytes[..CompleteLength(bytes)];
        }

        return bytes.IsEmpty ? "" : Utf8.GetString(bytes);
    }

    /// <summary>The length of <paramref name="bytes"/> without a multi-byte character the cut split, so a cut line does not end in U+FFFD.</summary>
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        var i = bytes.Length - 1;
        while (i >= 0 && (bytes[i] & 0xC0) == 0x80 && bytes.Length - i < 4)
        {
            i--;
        }

        if (i < 0)
        {
            return bytes.Length;
        }

        var lead = bytes[i];
        var need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return bytes.Length - i < need ? i : bytes.Length;
    }
}

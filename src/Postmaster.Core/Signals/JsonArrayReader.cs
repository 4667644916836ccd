using System.Buffers;
using System.Runtime.CompilerServices;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Core.Signals;

/// <summary>One element of a streamed JSON array: its bytes when it could be kept whole, or why not.</summary>
/// <param name="Number">1-based position in the array.</param>
/// <param name="Json">The element's bytes; for a problem, as much of them as was kept (for an excerpt).</param>
/// <param name="Problem">Why the element cannot be read, or null.</param>
public sealed record JsonArrayElement(long Number, ReadOnlyMemory<byte> Json, string? Problem);

/// <summary>
/// Splits a JSON array into its elements with fixed-size buffers, so a body of any size, and any one element of any
/// size, is read in bounded memory: the JSON counterpart of <see cref="LogLineReader"/> for NDJSON.
/// </summary>
/// <remarks>
/// Only the array's own structure is tracked here (strings, escapes and nesting, RFC 8259 §2, §7); each element is
/// validated by a real JSON parser afterwards. An element longer than <see cref="MaxElementBytes"/> is skipped up to
/// its end and reported, and reading goes on with the next one.
/// </remarks>
public static class JsonArrayReader
{
    /// <summary>The longest element kept, in bytes: the same bound as an NDJSON line.</summary>
    public const int MaxElementBytes = LogLineReader.MaxLineLength;

    private const int BufferSize = 64 * 1024;

    public static async IAsyncEnumerable<JsonArrayElement> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var scanner = new Scanner();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (!scanner.Finished)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    scanner.End();
                }
                else
                {
                    scanner.Feed(buffer.AsSpan(0, read));
                }

                while (scanner.Ready.TryDequeue(out var element))
                {
                    yield return element;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private enum Phase
    {
        BeforeArray,
        InArray,
        AfterArray,
        Finished,
    }

    /// <summary>The array's structure, fed a chunk at a time; complete elements queue up in <see cref="Ready"/>.</summary>
    private sealed class Scanner
    {
        private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[],"u8);
        private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);

        private readonly ArrayBufferWriter<byte> _element = new();
        private Phase _phase = Phase.BeforeArray;
        private bool _bomChecked;
        private long _number;
        private long _length; // of the current element, including what was not kept
        private int _depth;
        private bool _inString;
        private bool _escaped;
        private bool _afterComma;

        public Queue<JsonArrayElement> Ready { get; } = new();

        public bool Finished => _phase == Phase.Finished && Ready.Count == 0;

        public void Feed(ReadOnlySpan<byte> data)
        {
            if (!_bomChecked)
            {
                _bomChecked = true;
                if (data.StartsWith("\uFEFF"u8))
                {
                    data = data[3..];
                }
            }

            while (!data.IsEmpty && _phase != Phase.Finished)
            {
                data = _phase switch
                {
                    Phase.BeforeArray => BeforeArray(data),
                    Phase.InArray => InArray(data),
                    _ => AfterArray(data),
                };
            }
        }

        public void End()
        {
            switch (_phase)
            {
                case Phase.BeforeArray:
                    Fail("The body is empty: send a JSON array of signals.");
                    break;
                case Phase.InArray when _length > 0:
                    Complete("The body ends inside this element: the array was cut short here; the signals before it were kept.");
                    break;
                case Phase.InArray:
                    Fail("The array is not closed with ']': the body was cut short; the signals before the cut were kept.");
                    break;
            }

            _phase = Phase.Finished;
        }

        private ReadOnlySpan<byte> BeforeArray(ReadOnlySpan<byte> data)
        {
            var start = data.IndexOfAnyExcept(" \t\r\n"u8);
            if (start < 0)
            {
                return [];
            }

            if (data[start] != (byte)'[')
            {
                Fail("The body is not a JSON array: send [ {signal}, ... ], or NDJSON with Content-Type application/x-ndjson.");
                _phase = Phase.Finished;
                return [];
            }

            _phase = Phase.InArray;
            return data[(start + 1)..];
        }

        private ReadOnlySpan<byte> AfterArray(ReadOnlySpan<byte> data)
        {
            if (data.IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                Fail("There is text after the array's closing ']'; it was ignored.");
                _phase = Phase.Finished;
            }

            return [];
        }

        private ReadOnlySpan<byte> InArray(ReadOnlySpan<byte> data)
        {
            if (_inString)
            {
                var i = _escaped ? 0 : data.IndexOfAny(StringEnd);
                if (i < 0)
                {
                    Keep(data);
                    return [];
                }

                Keep(data[..(i + 1)]);
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (data[i] == (byte)'\\')
                {
                    _escaped = true;
                }
                else
                {
                    _inString = false;
                }

                return data[(i + 1)..];
            }

            if (_length == 0)
            {
                // Whitespace between elements belongs to none of them.
                var start = data.IndexOfAnyExcept(" \t\r\n"u8);
                if (start < 0)
                {
                    return [];
                }

                data = data[start..];
            }

            var next = data.IndexOfAny(Structural);
            if (next < 0)
            {
                Keep(data);
                return [];
            }

            var b = data[next];
            if (_depth == 0 && b is (byte)',' or (byte)']')
            {
                Keep(data[..next]);
                if (_length > 0)
                {
                    Complete(null);
                }
                else if (b == (byte)',' || _afterComma)
                {
                    _number++;
                    Ready.Enqueue(new JsonArrayElement(_number, ReadOnlyMemory<byte>.Empty, "An empty element: two commas, or a comma before ']', with nothing between."));
                }

                _afterComma = b == (byte)',';
                if (b == (byte)']')
                {
                    _phase = Phase.AfterArray;
                }

                return data[(next + 1)..];
            }

            Keep(data[..(next + 1)]);
            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    _depth++;
                    break;
                case (byte)'}' or (byte)']' when _depth > 0:
                    _depth--;
                    break;
            }

            return data[(next + 1)..];
        }

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            var room = (int)Math.Max(0, MaxElementBytes - _element.WrittenCount);
            _element.Write(bytes.Length <= room ? bytes : bytes[..room]);
            _length += bytes.Length;
        }

        private void Complete(string? problem)
        {
            _number++;
            if (problem is null && _length > MaxElementBytes)
            {
                problem = $"The element is too long to be a signal ({_length:N0} bytes; at most {MaxElementBytes:N0}); it was skipped.";
            }

            Ready.Enqueue(new JsonArrayElement(_number, _element.WrittenSpan.ToArray(), problem));
            _element.ResetWrittenCount();
            _length = 0;
            _depth = 0;
            _inString = false;
            _escaped = false;
        }

        private void Fail(string problem) => Ready.Enqueue(new JsonArrayElement(_number + 1, ReadOnlyMemory<byte>.Empty, problem));
    }
}

using System.Text;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Tests.Signals.Logs;

public class LogLineReaderTests
{
    [Fact]
    public async Task Crlf_and_lf_both_end_lines_and_a_last_line_needs_no_newline()
    {
        var lines = await ReadAll("one\r\ntwo\nthree\r\n\nfive");

        Assert.Equal(["one", "two", "three", "", "five"], lines.Select(l => l.Text));
        Assert.Equal([1L, 2, 3, 4, 5], lines.Select(l => l.Number));
        Assert.All(lines, l => Assert.False(l.Truncated));
    }

    [Fact]
    public async Task A_trailing_newline_does_not_make_an_empty_last_line()
    {
        Assert.Equal(["one", "two"], (await ReadAll("one\ntwo\n")).Select(l => l.Text));
        Assert.Empty(await ReadAll(""));
    }

    [Fact]
    public async Task A_byte_order_mark_is_dropped_and_a_lone_cr_stays_inside_its_line()
    {
        var lines = await ReadAll(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("a\rb\nc")).ToArray());

        Assert.Equal(["a\rb", "c"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Invalid_utf8_becomes_the_replacement_character()
    {
        var lines = await ReadAll(new byte[] { (byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'\n', 0xE2, 0x82, (byte)'c', (byte)'\n', 0xC3, 0xA9 });

        Assert.Equal(["a\uFFFDb\uFFFD", "\uFFFDc", "é"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task A_line_over_the_limit_is_cut_and_the_next_line_is_intact()
    {
        var text = new string('x', LogLineReader.MaxLineLength + 10_000) + "\r\nnext line\n";

        var lines = await ReadAll(text);

        Assert.Equal(2, lines.Count);
        Assert.Equal((1L, LogLineReader.MaxLineLength, true), (lines[0].Number, lines[0].Text.Length, lines[0].Truncated));
        Assert.Equal(new LogLine(2, "next line", false), lines[1]);
    }

    [Fact]
    public async Task A_line_of_exactly_the_limit_with_crlf_is_whole()
    {
        var lines = await ReadAll(new string('x', LogLineReader.MaxLineLength) + "\r\nnext");

        Assert.Equal((LogLineReader.MaxLineLength, false), (lines[0].Text.Length, lines[0].Truncated));
        Assert.Equal("next", lines[1].Text);
    }

    [Fact]
    public async Task A_long_last_line_without_newline_is_cut_too()
    {
        var lines = await ReadAll(new string('x', LogLineReader.MaxLineLength + 1));

        Assert.Equal((LogLineReader.MaxLineLength, true), (lines.Single().Text.Length, lines.Single().Truncated));
    }

    [Fact]
    public async Task A_cut_does_not_split_a_multibyte_character()
    {
        // 'é' is two bytes: the limit falls between them.
        var text = new string('x', LogLineReader.MaxLineLength - 1) + new string('é', 10) + "\nok";

        var lines = await ReadAll(text);

        Assert.Equal(new string('x', LogLineReader.MaxLineLength - 1), lines[0].Text);
        Assert.True(lines[0].Truncated);
        Assert.Equal("ok", lines[1].Text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Lines_are_the_same_whatever_the_stream_hands_out_per_read(int chunk)
    {
        var text = "Nov 23 10:00:01 mx1 postfix/smtp[1]: é\r\n\r\nsecond\nthird\r\n" + new string('y', LogLineReader.MaxLineLength + 3) + "\r\nlast\r";

        var lines = await ReadAll(new TrickleStream(Encoding.UTF8.GetBytes(text), chunk));

        Assert.Equal(["Nov 23 10:00:01 mx1 postfix/smtp[1]: é", "", "second", "third", new string('y', LogLineReader.MaxLineLength), "last"], lines.Select(l => l.Text));
        Assert.Equal([false, false, false, false, true, false], lines.Select(l => l.Truncated));
    }

    [Fact]
    public async Task A_cancelled_read_stops()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in LogLineReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes("a\nb\n")), cancel.Token))
            {
            }
        });
    }

    [Fact]
    public async Task A_50_mb_stream_is_read_with_a_bounded_read_ahead()
    {
        const long Size = 50L * 1024 * 1024;
        var stream = new GeneratedLogStream(Size);
        long lines = 0, bytesInLines = 0, worstReadAhead = 0;

        await foreach (var line in LogLineReader.ReadAsync(stream, TestContext.Current.CancellationToken))
        {
            lines++;
            bytesInLines += line.Text.Length + 1; // ASCII lines, one '\n' each
            worstReadAhead = Math.Max(worstReadAhead, stream.Position - bytesInLines);
            Assert.False(line.Truncated);
        }

        Assert.Equal(Size, bytesInLines);
        Assert.InRange(lines, Size / 256, Size / 128);
        // The reader holds at most its buffer (256 KB) of the stream ahead of the lines it has handed out.
        Assert.InRange(worstReadAhead, 0, 512 * 1024);
    }

    [Fact]
    public void A_50_mb_line_without_a_newline_costs_one_cut_line_of_memory()
    {
        var stream = new GeneratedLogStream(50L * 1024 * 1024, newlines: false);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // A synchronous stream keeps the whole enumeration on this thread, so the thread's allocations are the reader's.
        var enumerator = LogLineReader.ReadAsync(stream, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var lines = new List<LogLine>();
        while (Completed(enumerator.MoveNextAsync()))
        {
            lines.Add(enumerator.Current);
        }

        Completed(enumerator.DisposeAsync());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((1L, true, LogLineReader.MaxLineLength), (lines.Single().Number, lines.Single().Truncated, lines.Single().Text.Length));
        Assert.InRange(allocated, 0, 4 * 1024 * 1024);
    }

    private static void Completed(ValueTask done) => Assert.True(done.IsCompletedSuccessfully);

    private static bool Completed(ValueTask<bool> next)
    {
        Assert.True(next.IsCompletedSuccessfully);
        return next.Result;
    }

    private static Task<List<LogLine>> ReadAll(string text) => ReadAll(Encoding.UTF8.GetBytes(text));

    private static Task<List<LogLine>> ReadAll(byte[] bytes) => ReadAll(new MemoryStream(bytes));

    private static async Task<List<LogLine>> ReadAll(Stream stream)
    {
        var lines = new List<LogLine>();
        await foreach (var line in LogLineReader.ReadAsync(stream, TestContext.Current.CancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Hands out at most a few bytes per read, as a slow upload does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}

/// <summary>A read-only stream of generated Postfix-like lines that never exists in memory as a whole.</summary>
internal sealed class GeneratedLogStream(long length, bool newlines = true) : Stream
{
    private static readonly byte[] Line = Encoding.ASCII.GetBytes("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)\n");

    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            var at = _position + i;
            var b = Line[(int)(at % Line.Length)];
            // The last byte of the stream is a newline so every line is whole; without newlines, all 'x'.
            buffer[i] = !newlines ? (byte)'x' : at == length - 1 ? (byte)'\n' : b;
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Diagnostics;
using System.Text;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;

namespace Postmaster.Tests.Signals.Bounces;

/// <summary>BounceParser on messages written here: the DSN rules, the not-a-bounce rules, ToOutcome, and hostile input.</summary>
public class BounceParserTests
{
    private const string Dsn = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
        To: sender@example.org
        Subject: Undelivered Mail Returned to Sender
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain

        This is the mail system at host mx.example.net.

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.net

        Final-Recipient: rfc822; one@example.com
        Original-Recipient: rfc822; alias@example.com
        Action: failed
        Status: 5.0.0
        Remote-MTA: dns; mx1.example.com
        Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; client [192.0.2.1]
            blocked using zen.spamhaus.org

        Final-Recipient: rfc822; <two@example.com>
        Action: delayed
        Status: 4.4.1
        Diagnostic-Code: X-Postfix; connect to mx2.example.com[192.0.2.2]:25: Connection timed out

        Original-Recipient: rfc822; three@example.com
        Action: delivered
        Status: 2.0.0

        --b1
        Content-Type: message/rfc822

        From: sender@example.org
        To: one@example.com
        Subject: hello

        hi
        --b1--
        """;

    [Fact]
    public void A_dsn_gives_each_recipient_its_action_codes_reply_and_remote_mta()
    {
        var report = Parse(Dsn);

        Assert.True(report.IsBounce);
        Assert.Null(report.NotABounceBecause);
        Assert.Equal(
            [
                new BouncedRecipient("one@example.com", DeliveryStatus.Bounced, 550, "5.7.1", "550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org", "dns; mx1.example.com"),
                new BouncedRecipient("two@example.com", DeliveryStatus.Deferred, null, "4.4.1", "connect to mx2.example.com[192.0.2.2]:25: Connection timed out", null),
                new BouncedRecipient("three@example.com", DeliveryStatus.Delivered, null, "2.0.0", null, null),
            ],
            report.Recipients);
    }

    [Fact]
    public void To_outcome_takes_the_domain_from_the_address_and_the_mx_from_remote_mta()
    {
        var outcome = BounceParser.ToOutcome(new BouncedRecipient("One@Example.COM", DeliveryStatus.Bounced, 550, "5.7.1", new string('x', 5000), "dns; MX1.example.com. [192.0.2.1]"));

        Assert.Equal((DeliveryStatus.Bounced, "One@Example.COM", "example.com", "mx1.example.com", 550, "5.7.1"), (outcome.Status, outcome.Recipient, outcome.RecipientDomain, outcome.Mx, outcome.SmtpCode, outcome.EnhancedCode));
        Assert.Equal(DeliveryOutcome.MaxResponseLength, outcome.Response?.Length);
    }

    [Theory]
    [InlineData("dns; mx.example.com", "mx.example.com")]
    [InlineData("DNS;[192.0.2.7]", "192.0.2.7")]
    [InlineData("mx.example.com", "mx.example.com")]
    [InlineData("dns;mx.example.jp (TCP|17.111.174.67|47323|192.0.2.225|25)", "mx.example.jp")]
    [InlineData("", null)]
    public void To_outcome_reads_the_host_out_of_remote_mta(string remoteMta, string? mx) =>
        Assert.Equal(mx, BounceParser.ToOutcome(new BouncedRecipient("a@b.example", DeliveryStatus.Bounced, null, null, null, remoteMta)).Mx);

    [Fact]
    public void To_outcome_without_an_address_has_no_domain() =>
        Assert.Null(BounceParser.ToOutcome(new BouncedRecipient("postmaster", DeliveryStatus.Bounced, null, null, null, null)).RecipientDomain);

    [Fact]
    public void An_exim_notice_is_read_from_its_text()
    {
        var report = Parse("""
            From: Mail Delivery System <Mailer-Daemon@relay.example.net>
            To: sender@example.org
            Subject: Mail delivery failed: returning message to sender
            Auto-Submitted: auto-replied
            X-Failed-Recipients: user@example.com

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              user@example.com
                host mx.example.com [192.0.2.9]
                SMTP error from remote mail server after RCPT TO:<user@example.com>:
                550-5.7.1 Your IP is listed at
                550 5.7.1 b.barracudacentral.org

            ------ This is a copy of the message, including all the headers. ------

            Return-path: <sender@example.org>
            To: other@example.com
            Subject: 550 5.1.1 not this one
            """);

        var r = Assert.Single(report.Recipients);
        Assert.Equal(("user@example.com", 550, "5.7.1", "mx.example.com"), (r.Recipient, r.SmtpCode, r.EnhancedCode, r.RemoteMta));
        Assert.Equal("550-5.7.1 Your IP is listed at 550 5.7.1 b.barracudacentral.org", r.Response);
    }

    [Theory]
    [InlineData("Auto-Submitted: auto-replied\nSubject: Out of office", "automatic reply (Auto-Submitted: auto-replied)")]
    [InlineData("X-Autoreply: yes\nSubject: Re: hello", "automatic reply (X-Autoreply)")]
    [InlineData("Subject: Abwesenheitsnotiz", "automatic reply (an out-of-office subject)")]
    [InlineData("Subject: lunch?", "ordinary mail")]
    public void Auto_replies_and_ordinary_mail_are_not_bounces(string headers, string because)
    {
        var report = Parse($"From: Person <person@example.com>\nTo: sender@example.org\n{headers}\n\nI am away until Monday; 550 5.1.1 is not a bounce here.\n");

        Assert.False(report.IsBounce);
        Assert.Empty(report.Recipients);
        Assert.Contains(because, report.NotABounceBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_feedback_report_is_not_a_bounce_even_from_a_mail_system()
    {
        var report = Parse("""
            From: MAILER-DAEMON@example.net
            Subject: Delivery Status Notification
            Content-Type: multipart/report; report-type=feedback-report; boundary="b"

            --b
            Content-Type: text/plain

            An abuse report.
            --b
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            --b--
            """);

        Assert.False(report.IsBounce);
        Assert.Contains("ARF feedback report", report.NotABounceBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_stream_is_not_a_bounce()
    {
        var report = BounceParser.Parse(new MemoryStream(), TestContext.Current.CancellationToken);

        Assert.False(report.IsBounce);
        Assert.Empty(report.Recipients);
        Assert.StartsWith("not a readable MIME message", report.NotABounceBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_are_not_a_bounce()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 256 * 1024)];
            random.NextBytes(bytes);

            var report = BounceParser.Parse(new MemoryStream(bytes), TestContext.Current.CancellationToken);

            Assert.False(report.IsBounce);
            Assert.NotNull(report.NotABounceBecause);
        }
    }

    [Fact]
    public void Random_bytes_inside_a_bounce_give_a_bounded_result()
    {
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            var garbage = new byte[random.Next(1, 64 * 1024)];
            random.NextBytes(garbage);
            var message = Concat(Encoding.ASCII.GetBytes("From: MAILER-DAEMON@example.net\r\nSubject: failure notice\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n<user@example.com>:\r\n550 5.1.1 "), garbage);

            var report = BounceParser.Parse(new MemoryStream(message), TestContext.Current.CancellationToken);

            Assert.All(report.Recipients, r => Assert.True(r.Response is null || r.Response.Length <= DeliveryOutcome.MaxResponseLength));
        }
    }

    [Fact]
    public void A_20_mb_stream_is_read_only_up_to_the_limit()
    {
        using var stream = new EndlessMessage(20L * 1024 * 1024);

        var report = BounceParser.Parse(stream, TestContext.Current.CancellationToken);

        Assert.True(stream.BytesRead <= BounceParser.MaxMessageBytes, $"read {stream.BytesRead} bytes");
        Assert.True(stream.BytesRead >= BounceParser.MaxMessageBytes / 2, $"read only {stream.BytesRead} bytes");
        var r = Assert.Single(report.Recipients);
        Assert.Equal(("user@example.com", 550), (r.Recipient, r.SmtpCode));
    }

    [Fact]
    public void A_message_with_10000_parts_gives_a_bounded_result_quickly()
    {
        var text = new StringBuilder("From: MAILER-DAEMON@example.net\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"p\"\r\n\r\n");
        for (var i = 0; i < 10_000; i++)
        {
            text.Append("--p\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; user").Append(i).Append("@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n");
        }

        text.Append("--p--\r\n");
        var watch = Stopwatch.StartNew();

        var report = Parse(text.ToString());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed}");
        Assert.InRange(report.Recipients.Count, 1, 1000);
    }

    [Fact]
    public void A_dsn_with_50000_recipients_reports_at_most_1000()
    {
        var text = new StringBuilder("From: MAILER-DAEMON@example.net\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"p\"\r\n\r\n--p\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n");
        for (var i = 0; i < 50_000; i++)
        {
            text.Append("\r\nFinal-Recipient: rfc822; user").Append(i).Append("@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n");
        }

        text.Append("--p--\r\n");

        var report = Parse(text.ToString());

        Assert.True(report.IsBounce);
        Assert.Equal(1000, report.Recipients.Count);
    }

    [Fact]
    public void Deeply_nested_multiparts_do_not_recurse_without_bound()
    {
        var text = new StringBuilder("From: MAILER-DAEMON@example.net\r\nSubject: failure notice\r\n");
        for (var i = 0; i < 5000; i++)
        {
            text.Append("Content-Type: multipart/mixed; boundary=\"n").Append(i).Append("\"\r\n\r\n--n").Append(i).Append("\r\n");
        }

        text.Append("Content-Type: text/plain\r\n\r\n<user@example.com>:\r\n550 5.1.1 unknown\r\n");

        var report = Parse(text.ToString());

        Assert.NotNull(report);
    }

    [Fact]
    public void Invalid_utf8_in_headers_and_body_is_read_without_an_error()
    {
        var message = Concat(
            Encoding.Latin1.GetBytes("From: MAILER-DAEMON@example.net\r\nSubject: failure notice \xC3\x28\xFF\xFE\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n<user@example.com>:\r\nRemote host said: 550 5.1.1 "),
            [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, 0xFF, 0xFE, 0xC0, 0xAF],
            Encoding.ASCII.GetBytes(" unknown\r\n\r\n"));

        var report = BounceParser.Parse(new MemoryStream(message), TestContext.Current.CancellationToken);

        var r = Assert.Single(report.Recipients);
        Assert.Equal(("user@example.com", 550, "5.1.1"), (r.Recipient, r.SmtpCode, r.EnhancedCode));
    }

    [Theory]
    [InlineData('a')]
    [InlineData('-')]
    [InlineData('.')]
    [InlineData('5')]
    [InlineData('@')]
    public void Long_lines_of_one_character_do_not_make_the_patterns_slow(char c)
    {
        var line = new string(c, 999);
        var body = string.Join("\r\n", Enumerable.Repeat(line, 60));
        var watch = Stopwatch.StartNew();

        Parse($"From: MAILER-DAEMON@example.net\r\nSubject: failure notice\r\nX-Failed-Recipients: user@example.com\r\n\r\n<user@example.com>:\r\n{body}\r\n");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed}");
    }

    [Fact]
    public async Task Parse_async_reads_a_stream_that_refuses_synchronous_reads()
    {
        using var body = new AsyncOnlyStream(Encoding.UTF8.GetBytes(Dsn.ReplaceLineEndings("\r\n")));

        var report = await BounceParser.ParseAsync(body, TestContext.Current.CancellationToken);

        Assert.Equal(Parse(Dsn).Recipients, report.Recipients);
    }

    [Fact]
    public async Task Parse_async_stops_at_the_limit_too()
    {
        using var stream = new EndlessMessage(20L * 1024 * 1024);

        var report = await BounceParser.ParseAsync(stream, TestContext.Current.CancellationToken);

        Assert.True(stream.BytesRead <= BounceParser.MaxMessageBytes, $"read {stream.BytesRead} bytes");
        Assert.Single(report.Recipients);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => BounceParser.Parse(new MemoryStream(Encoding.ASCII.GetBytes(Dsn)), cancelled.Token));
    }

    private static BounceReport Parse(string message) =>
        BounceParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n"))), TestContext.Current.CancellationToken);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Like an ASP.NET Core request body: synchronous reads are refused.</summary>
    private sealed class AsyncOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous read");

        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("synchronous read");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var n = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A bounce notice followed by an endless body, produced on the fly; counts what the parser pulled.</summary>
    private sealed class EndlessMessage(long length) : Stream
    {
        private static readonly byte[] Head = Encoding.ASCII.GetBytes(
            "From: MAILER-DAEMON@example.net\r\nSubject: failure notice\r\nContent-Type: text/plain\r\n\r\n<user@example.com>:\r\nRemote host said: 550 5.1.1 unknown user\r\n\r\n");

        private static readonly byte[] Line = Encoding.ASCII.GetBytes("filler filler filler filler filler filler filler filler filler filler\r\n");

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = 0;
            while (n < count && BytesRead < length)
            {
                var source = BytesRead < Head.Length ? Head : Line;
                var at = BytesRead < Head.Length ? BytesRead : (BytesRead - Head.Length) % Line.Length;
                buffer[offset + n] = source[at];
                n++;
                BytesRead++;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

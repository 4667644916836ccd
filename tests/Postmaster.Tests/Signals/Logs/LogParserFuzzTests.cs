using System.Text;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Tests.Signals.Logs;

/// <summary>
/// Whatever arrives in an upload, a parser answers Outcome, Ignored or Malformed, never throws, and keeps
/// every string it returns within bounds. Seeds are fixed so a failure reproduces.
/// </summary>
public class LogParserFuzzTests
{
    private const int Seed = 20241123;

    public static TheoryData<string> Formats() => new(LogFormats.Names);

    private static readonly Dictionary<string, string[]> ValidLines = new()
    {
        [LogFormats.Postfix] =
        [
            PostfixLogParserTests.GmailSent, PostfixLogParserTests.GmailRateLimited, PostfixLogParserTests.GmailUnauthenticated,
            PostfixLogParserTests.OutlookS3150, PostfixLogParserTests.YahooTss04, PostfixLogParserTests.TOnlineBlocked, PostfixLogParserTests.ConnectTimedOut,
            "2024-11-23T10:00:01.123456+00:00 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)",
        ],
        [LogFormats.Exim] =
        [
            EximLogParserTests.GmailDelivered, EximLogParserTests.YahooBounced, EximLogParserTests.GmailUnauthenticated, EximLogParserTests.WebDeDeferred,
            "2024-11-23 10:00:05 1tEx1e-000Ab5-DQ == erin@example.org R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.example.org [192.0.2.25]",
            "Nov 23 10:00:02 mx1 exim[32130]: 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 OK\"",
        ],
        [LogFormats.KumoMta] = [KumoMtaLogParserTests.GmailDelivery, KumoMtaLogParserTests.OutlookBounce, KumoMtaLogParserTests.YahooTransientFailure],
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void The_sample_lines_are_outcomes(string format)
    {
        var parser = Parser(format);

        Assert.All(ValidLines[format], line => Assert.Equal(LogLineKind.Outcome, parser.Parse(line).Kind));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_prefix_of_a_valid_line_is_answered(string format)
    {
        var parser = Parser(format);
        foreach (var line in ValidLines[format])
        {
            for (var length = 0; length <= line.Length; length++)
            {
                AssertSound(parser, line[..length]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Valid_lines_with_random_characters_flipped_deleted_or_inserted_are_answered(string format)
    {
        var parser = Parser(format);
        var random = new Random(Seed);
        const string Interesting = "<>[](){}:;,=\"\\ \t\r\n/@.-0123456789{}\u0000\uFFFD\uD800é";
        foreach (var line in ValidLines[format])
        {
            for (var round = 0; round < 2_000; round++)
            {
                var chars = new StringBuilder(line);
                var edits = random.Next(1, 6);
                for (var e = 0; e < edits && chars.Length > 0; e++)
                {
                    var at = random.Next(chars.Length);
                    var c = random.Next(3) == 0 ? (char)random.Next(0, 0x3000) : Interesting[random.Next(Interesting.Length)];
                    switch (random.Next(3))
                    {
                        case 0:
                            chars[at] = c;
                            break;
                        case 1:
                            chars.Remove(at, 1);
                            break;
                        default:
                            chars.Insert(at, c);
                            break;
                    }
                }

                AssertSound(parser, chars.ToString());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Random_bytes_through_the_reader_are_answered(string format)
    {
        var parser = Parser(format);
        var random = new Random(Seed);
        var bytes = new byte[2 * 1024 * 1024];
        random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i += random.Next(1, 400))
        {
            bytes[i] = (byte)'\n';
        }

        var lines = 0;
        await foreach (var line in LogLineReader.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken))
        {
            AssertSound(parser, line.Text);
            lines++;
        }

        Assert.True(lines > 1000);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Invalid_utf8_inside_valid_lines_is_answered(string format)
    {
        var parser = Parser(format);
        var random = new Random(Seed);
        byte[][] invalid = [[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0x00]];
        var stream = new MemoryStream();
        foreach (var line in ValidLines[format])
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            for (var round = 0; round < 200; round++)
            {
                var at = random.Next(bytes.Length);
                stream.Write(bytes, 0, at);
                stream.Write(invalid[random.Next(invalid.Length)]);
                stream.Write(bytes, at, bytes.Length - at);
                stream.WriteByte((byte)'\n');
            }
        }

        stream.Position = 0;
        await foreach (var line in LogLineReader.ReadAsync(stream, TestContext.Current.CancellationToken))
        {
            AssertSound(parser, line.Text);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_million_character_line_is_answered_with_bounded_fields(string format)
    {
        var parser = Parser(format);
        var huge = new string('a', 1_000_000);
        string[] lines = format switch
        {
            LogFormats.Postfix =>
            [
                huge,
                "Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<" + huge,
                "Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<a@gmail.com>, relay=" + huge + ", dsn=5.7.1, status=bounced (x)",
                "Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<a@gmail.com>, relay=none, dsn=5.7.1, status=bounced (host x[1.2.3.4] said: 550 " + huge + ")",
                "Nov 23 10:00:01 mx1 " + huge + ": hello",
            ],
            LogFormats.Exim =>
            [
                huge,
                "2024-11-23 10:00:02 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=" + huge + " [1.2.3.4] C=\"250 " + huge + "\"",
                "2024-11-23 10:00:02 1tEx1a-000Ab1-9Q ** alice@gmail.com R=dnslookup T=remote_smtp H=x [1.2.3.4] I=[" + huge + "]:1: SMTP error from remote mail server after RCPT TO:<x>: 550 " + huge,
                "2024-11-23 10:00:02 1tEx1a-000Ab1-9Q ** alice@gmail.com C=\"" + huge,
                "2024-11-23 10:00:02 1tEx1a-000Ab1-9Q == alice@gmail.com R=x T=y defer (110): " + huge.Replace("aaaa", "\\n a", StringComparison.Ordinal),
            ],
            _ =>
            [
                huge,
                "{\"type\":\"Bounce\",\"recipient\":\"a@example.com\",\"response\":{\"code\":550,\"content\":\"" + huge + "\"},\"peer_address\":{\"name\":\"" + huge + "\"},\"source_address\":{\"address\":\"" + huge + "\"}}",
                "{\"type\":\"Bounce\",\"recipient\":\"" + huge + "\"}",
                "{\"type\":\"Bounce\",\"recipient\":[" + string.Join(',', Enumerable.Repeat("\"a@b.c\"", 100_000)) + "]}",
                "{\"type\":\"Bounce\",\"meta\":" + new string('[', 500_000) + new string(']', 500_000) + "}",
                "{\"" + huge + "\":1}",
            ],
        };

        foreach (var line in lines)
        {
            AssertSound(parser, line);
        }
    }

    [Fact]
    public void Json_nested_deeper_than_any_record_is_malformed_for_every_value_position()
    {
        var parser = Parser(LogFormats.KumoMta);
        foreach (var field in new[] { "meta", "headers", "response", "peer_address", "source_address", "recipient", "timestamp", "type", "feedback_report" })
        {
            var line = "{\"" + field + "\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

            Assert.Equal(LogLineKind.Malformed, parser.Parse(line).Kind);
        }
    }

    [Fact]
    public void Lines_of_one_format_given_to_another_are_never_outcomes_by_accident_of_a_crash()
    {
        foreach (var format in LogFormats.Names)
        {
            var parser = Parser(format);
            foreach (var line in ValidLines.Where(v => v.Key != format).SelectMany(v => v.Value))
            {
                var result = AssertSound(parser, line);
                Assert.NotEqual(LogLineKind.Outcome, result.Kind);
            }
        }
    }

    private static ILogLineParser Parser(string format)
    {
        Assert.True(LogFormats.TryGet(format, out var parser));
        return parser;
    }

    private static LogLineResult AssertSound(ILogLineParser parser, string line)
    {
        LogLineResult result;
        try
        {
            result = parser.Parse(line);
        }
        catch (Exception e)
        {
            Assert.Fail($"Parse threw {e.GetType().Name}: {e.Message} on line: {Shorten(line)}");
            throw;
        }

        Assert.True(Enum.IsDefined(result.Kind), Shorten(line));
        Assert.Equal(result.Kind == LogLineKind.Outcome, result.Outcome is not null);
        Assert.Equal(result.Kind == LogLineKind.Malformed, result.Error is not null);
        if (result.Error is not null)
        {
            Assert.InRange(result.Error.Length, 1, 100);
        }

        if (result.Outcome is { } o)
        {
            Assert.True(Enum.IsDefined(o.Status));
            Assert.InRange(o.Recipient?.Length ?? 0, 0, LogFieldLimits.MaxRecipientLength);
            Assert.InRange(o.RecipientDomain?.Length ?? 0, 0, LogFieldLimits.MaxRecipientLength);
            Assert.InRange(o.Mx?.Length ?? 0, 0, LogFieldLimits.MaxHostLength);
            Assert.InRange(o.SourceIp?.Length ?? 0, 0, LogFieldLimits.MaxIpLength);
            Assert.InRange(o.EnhancedCode?.Length ?? 0, 0, LogFieldLimits.MaxEnhancedCodeLength);
            Assert.InRange(o.Response?.Length ?? 0, 0, DeliveryOutcome.MaxResponseLength);
            Assert.True(o.SmtpCode is null or >= 200 and < 600, Shorten(line));
        }

        return result;
    }

    private static string Shorten(string line) => line.Length <= 300 ? line : line[..300] + "…";
}

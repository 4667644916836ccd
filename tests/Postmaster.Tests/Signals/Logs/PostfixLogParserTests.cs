using Microsoft.Extensions.Time.Testing;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Tests.Signals.Logs;

public class PostfixLogParserTests
{
    /// <summary>The day after the sample lines, so "Nov 23" is this year's.</summary>
    private static readonly PostfixLogParser Parser = new(new FakeTimeProvider(new DateTimeOffset(2024, 11, 24, 0, 0, 0, TimeSpan.Zero)));

    private static readonly DateTimeOffset At = new(2024, 11, 23, 10, 0, 1, TimeSpan.Zero);

    public const string GmailSent = "Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK  1732356001 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp)";

    public const string GmailRateLimited = "Nov 23 10:00:01 mx1 postfix/smtp[4712]: 5B2C3D4E5F: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=0.9, delays=0.1/0/0.4/0.4, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.102.27] said: 421-4.7.28 [192.0.2.10      15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. To protect our 421-4.7.28 users from spam, mail sent from your IP address has been temporarily 421-4.7.28 rate limited. Please visit 421-4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email Senders Guidelines. k10si2978071qtp.33 - gsmtp (in reply to end of DATA command))";

    public const string GmailUnauthenticated = "Nov 23 10:00:01 mx1 postfix/smtp[4713]: 6C3D4E5F6A: to=<carol@gmail.com>, relay=gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1b]:25, delay=1.4, delays=0.1/0/0.6/0.7, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1b] said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550-5.7.26  550-5.7.26  Authentication results: 550-5.7.26  DKIM = did not pass 550-5.7.26  SPF [news.example.com] with ip: [192.0.2.10] = did not pass 550-5.7.26  550-5.7.26  For instructions on setting up authentication, go to 550 5.7.26  https://support.google.com/mail/answer/81126#authentication 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp (in reply to end of DATA command))";

    public const string OutlookS3150 = "Nov 23 10:00:01 mx1 postfix/smtp[4714]: 7D4E5F6A7B: to=<dave@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[52.101.42.5]:25, delay=0.6, delays=0.1/0/0.3/0.2, dsn=5.7.1, status=bounced (host hotmail-com.olc.protection.outlook.com[52.101.42.5] said: 550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com 2024-11-23T10:00:01.000Z 08DD0B2C4A1E9F21] (in reply to MAIL FROM command))";

    public const string YahooTss04 = "Nov 23 10:00:01 mx1 postfix/smtp[4715]: 8E5F6A7B8C: to=<erin@yahoo.com>, relay=mta7.am0.yahoodns.net[67.195.204.77]:25, delay=0.5, delays=0.1/0/0.3/0.1, dsn=4.7.0, status=deferred (host mta7.am0.yahoodns.net[67.195.204.77] said: 421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command))";

    public const string TOnlineBlocked = "Nov 23 10:00:01 mx1 postfix/smtp[4716]: 9F6A7B8C9D: to=<frank@t-online.de>, relay=mx00.t-online.de[194.25.134.8]:25, delay=0.3, delays=0.1/0/0.2/0, dsn=5.0.0, status=bounced (host mx00.t-online.de[194.25.134.8] refused to talk to me: 554 IP=192.0.2.10 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL))";

    public const string ConnectTimedOut = "Nov 23 10:00:01 mx1 postfix/smtp[4717]: A07B8C9DAE: to=<gina@example.net>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.25]:25: Connection timed out)";

    [Fact]
    public void A_sent_line_is_a_delivered_outcome_with_the_250_reply()
    {
        var result = Parser.Parse(GmailSent);

        Assert.Equal(LogLineKind.Outcome, result.Kind);
        Assert.Null(result.Error);
        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Delivered, At, null, "alice@gmail.com", "gmail.com", "gmail-smtp-in.l.google.com", 250, "2.0.0",
                "250 2.0.0 OK  1732356001 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp"),
            result.Outcome);
    }

    [Fact]
    public void A_deferred_line_keeps_the_receivers_reply_without_the_in_reply_to_trailer()
    {
        var outcome = Parser.Parse(GmailRateLimited).Outcome!;

        Assert.Equal(DeliveryStatus.Deferred, outcome.Status);
        Assert.Equal((421, "4.7.28", "gmail-smtp-in.l.google.com", "gmail.com"), (outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx, outcome.RecipientDomain));
        Assert.StartsWith("421-4.7.28 [192.0.2.10      15] Our system has detected", outcome.Response, StringComparison.Ordinal);
        Assert.EndsWith("review our Bulk Email Senders Guidelines. k10si2978071qtp.33 - gsmtp", outcome.Response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bounced_line_from_an_ipv6_relay_names_the_mx_host()
    {
        var outcome = Parser.Parse(GmailUnauthenticated).Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, 550, "5.7.26", "gmail-smtp-in.l.google.com"), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx));
        Assert.StartsWith("550-5.7.26 This mail has been blocked", outcome.Response, StringComparison.Ordinal);
        Assert.EndsWith("- gsmtp", outcome.Response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_greeting_is_the_receivers_reply()
    {
        var outcome = Parser.Parse(TOnlineBlocked).Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, 554, "5.0.0", "mx00.t-online.de", "t-online.de"), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx, outcome.RecipientDomain));
        Assert.Equal("554 IP=192.0.2.10 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)", outcome.Response);
    }

    [Fact]
    public void A_local_deferral_has_no_smtp_code_no_mx_and_postfixs_own_words()
    {
        var outcome = Parser.Parse(ConnectTimedOut).Outcome!;

        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Deferred, At, null, "gina@example.net", "example.net", null, null, "4.4.1", "connect to mx.example.net[192.0.2.25]:25: Connection timed out"),
            outcome);
    }

    [Fact]
    public void A_dns_failure_bounce_has_postfixs_own_words()
    {
        var outcome = Parser.Parse("Nov 23 10:00:01 mx1 postfix/smtp[4718]: B18C9DAEBF: to=<hank@example.invalid>, relay=none, delay=0.02, delays=0.01/0/0.01/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=example.invalid type=A: Host not found)").Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, (int?)null, "5.4.4", (string?)null), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx));
        Assert.Equal("Host or domain name not found. Name service error for name=example.invalid type=A: Host not found", outcome.Response);
    }

    [Fact]
    public void Postfix_never_logs_the_source_ip_of_a_delivery()
    {
        Assert.All(new[] { GmailSent, GmailRateLimited, OutlookS3150, ConnectTimedOut }, line => Assert.Null(Parser.Parse(line).Outcome!.SourceIp));
    }

    [Fact]
    public void Orig_to_and_conn_use_fields_do_not_disturb_the_reading()
    {
        var outcome = Parser.Parse("Nov 23 10:00:01 mx1 postfix/smtp[4719]: C29DAEBFC0: to=<ivy@gmx.de>, orig_to=<ivy@example.org>, relay=mx00.emig.gmx.net[212.227.15.9]:25, conn_use=3, delay=0.4, delays=0.1/0/0/0.3, dsn=2.0.0, status=sent (250 Requested mail action okay, completed: id=1MxUzX-1t8Yqz0Abc-00yZpc)").Outcome!;

        Assert.Equal(("ivy@gmx.de", "gmx.de", "mx00.emig.gmx.net", 250, "2.0.0"), (outcome.Recipient, outcome.RecipientDomain, outcome.Mx, outcome.SmtpCode, outcome.EnhancedCode));
    }

    [Fact]
    public void Rfc3339_timestamps_keep_their_fraction_and_offset()
    {
        var outcome = Parser.Parse("2024-11-23T11:00:01.123456+01:00 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)").Outcome!;

        Assert.Equal(new DateTimeOffset(2024, 11, 23, 10, 0, 1, TimeSpan.Zero).AddTicks(1_234_560), outcome.Time);
        Assert.Equal(TimeSpan.Zero, outcome.Time!.Value.Offset);
    }

    [Theory]
    [InlineData("2025-01-02T12:00:00Z", "Dec 31 23:59:59", 2024)] // a December line read in January is last year's
    [InlineData("2025-01-01T23:00:00Z", "Jan  2 10:00:00", 2025)] // less than a day ahead: clock skew, same year
    [InlineData("2024-11-24T00:00:00Z", "Nov 23 10:00:01", 2024)]
    [InlineData("2025-03-01T00:00:00Z", "Feb 29 10:00:00", 2024)] // no Feb 29 this year
    public void Classic_timestamps_get_the_current_year_or_the_one_before(string now, string stamp, int year)
    {
        var parser = new PostfixLogParser(new FakeTimeProvider(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

        var outcome = parser.Parse(stamp + " mx1 postfix/smtp[1]: 4A1B2C3D4E: to=<a@example.com>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to example.com[192.0.2.1]:25: Connection refused)").Outcome!;

        Assert.Equal(year, outcome.Time!.Value.Year);
    }

    [Theory]
    [InlineData("Nov 23 10:00:01 mx1 postfix-out/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/relay/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")]
    [InlineData("<22>Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=4.7.0, status=SOFTBOUNCE (host gmail-smtp-in.l.google.com[142.250.102.27] said: 550 5.7.1 no (in reply to RCPT TO command))")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4jQ8Wr0c3Kz9vBd: to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)")]
    public void Instances_services_priority_prefixes_soft_bounces_and_long_queue_ids_are_read(string line)
    {
        var result = Parser.Parse(line);

        Assert.Equal(LogLineKind.Outcome, result.Kind);
        Assert.Equal("alice@gmail.com", result.Outcome!.Recipient);
    }

    [Theory]
    [InlineData("Nov 23 10:00:00 mx1 postfix/smtpd[1001]: connect from app1.example.com[192.0.2.50]")]
    [InlineData("Nov 23 10:00:00 mx1 postfix/smtpd[1001]: 4A1B2C3D4E: client=app1.example.com[192.0.2.50]")]
    [InlineData("Nov 23 10:00:00 mx1 postfix/submission/smtpd[1001]: 4A1B2C3D4E: client=app1.example.com[192.0.2.50], sasl_method=PLAIN, sasl_username=app1")]
    [InlineData("Nov 23 10:00:00 mx1 postfix/cleanup[1002]: 4A1B2C3D4E: message-id=<20241123100000.4A1B2C3D4E@example.com>")]
    [InlineData("Nov 23 10:00:00 mx1 postfix/qmgr[1003]: 4A1B2C3D4E: from=<news@example.com>, size=5120, nrcpt=1 (queue active)")]
    [InlineData("Nov 23 10:00:02 mx1 postfix/qmgr[1003]: 4A1B2C3D4E: removed")]
    [InlineData("Nov 23 10:00:02 mx1 postfix/qmgr[1003]: 9F8E7D6C5B: from=<news@example.com>, status=expired, returned to sender")]
    [InlineData("Nov 23 10:00:02 mx1 postfix/postscreen[1004]: CONNECT from [198.51.100.7]:53211 to [192.0.2.1]:25")]
    [InlineData("Nov 23 10:00:02 mx1 postfix/bounce[1005]: 9F8E7D6C5B: sender non-delivery notification: 1A2B3C4D5E")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/smtp[4711]: Trusted TLS connection established to gmail-smtp-in.l.google.com[142.250.102.27]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/smtp[4711]: connect to mx.example.net[192.0.2.25]:25: Connection refused")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/smtp[4711]: warning: TLS library problem: error:0A000086:SSL routines::certificate verify failed")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/smtp[4711]: 4A1B2C3D4E: host mx1.example.net[192.0.2.26] said: 421 4.7.0 Try again later (in reply to RCPT TO command)")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<probe@example.net>, relay=mx.example.net[192.0.2.26]:25, delay=1, delays=0/0/0/1, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/lmtp[4800]: 4A1B2C3D4E: to=<alice@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.1, delays=0.05/0/0/0.05, dsn=2.0.0, status=sent (250 2.0.0 <alice@example.com> nV1hNf9wQWc2OgAAWyFq4A Saved)")]
    [InlineData("Nov 23 10:00:03 mx1 postfix/local[4801]: 4A1B2C3D4E: to=<root@mx1.example.com>, orig_to=<root>, relay=local, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)")]
    [InlineData("Nov 23 10:00:03 mx1 dovecot: imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=192.0.2.60")]
    [InlineData("Nov 23 10:00:03 mx1 opendkim[900]: 4A1B2C3D4E: DKIM-Signature field added (s=mail, d=example.com)")]
    [InlineData("Nov 23 10:00:03 mx1 -- MARK --")]
    [InlineData("")]
    [InlineData("   ")]
    public void Lines_that_report_no_delivery_to_a_receiver_are_ignored(string line)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Ignored, null, null), Parser.Parse(line));
    }

    [Theory]
    [InlineData("garbage", "not a syslog line (no timestamp and host)")]
    [InlineData("Nov 99 10:00:01 mx1 postfix/smtp[1]: 4A1B2C3D4E: to=<a@example.com>, status=sent (250 ok)", "not a syslog line (no timestamp and host)")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com, relay=none, status=sent (250 ok)", "to=<…> is not closed")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=none, delay=1, dsn=2.0.0", "no status= field")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<alice@gmail.com>, relay=none, delay=1, dsn=2.0.0, status=maybe (x)", "unknown status")]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<>, relay=none, delay=1, dsn=2.0.0, status=sent (250 ok)", "empty recipient")]
    public void Delivery_lines_that_cannot_be_read_are_malformed_with_a_reason(string line, string reason)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, reason), Parser.Parse(line));
    }

    [Fact]
    public void A_recipient_longer_than_any_real_address_is_malformed()
    {
        var line = $"Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<{new string('a', 400)}@gmail.com>, relay=none, delay=1, dsn=2.0.0, status=sent (250 ok)";

        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, "recipient too long"), Parser.Parse(line));
    }

    [Fact]
    public void A_response_is_cut_to_the_outcome_limit()
    {
        var line = $"Nov 23 10:00:01 mx1 postfix/smtp[4711]: 4A1B2C3D4E: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.102.27] said: 550 5.7.1 {new string('x', 10_000)} (in reply to RCPT TO command))";

        var outcome = Parser.Parse(line).Outcome!;

        Assert.Equal(DeliveryOutcome.MaxResponseLength, outcome.Response!.Length);
        Assert.StartsWith("550 5.7.1 xxx", outcome.Response, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> ProviderBlocks() => new()
    {
        { GmailRateLimited, "google", "rate-limit" },
        { GmailUnauthenticated, "google", "auth" },
        { OutlookS3150, "microsoft", "ip-reputation" },
        { YahooTss04, "yahoo", "rate-limit" },
        { TOnlineBlocked, "t-online", "ip-reputation" },
    };

    [Theory]
    [MemberData(nameof(ProviderBlocks))]
    public void Parsed_bounce_lines_classify_to_the_right_provider_and_kind(string line, string provider, string kind)
    {
        var outcome = Parser.Parse(line).Outcome!;

        var result = ProviderPackTests.Classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);

        Assert.Equal((provider, kind), (result.Provider, result.Kind?.ToApi()));
    }
}

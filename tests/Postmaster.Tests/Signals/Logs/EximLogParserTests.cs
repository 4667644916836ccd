using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Tests.Signals.Logs;

public class EximLogParserTests
{
    private static readonly EximLogParser Parser = new();

    public const string GmailDelivered = "2024-11-23 10:00:02 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] I=[192.0.2.10]:52344 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN=\"CN=mx.google.com\" K C=\"250 2.0.0 OK  1732356002 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp\"";

    public const string YahooBounced = "2024-11-23 10:00:03 1tEx1b-000Ab2-AQ ** bob@yahoo.com R=dnslookup T=remote_smtp H=mta6.am0.yahoodns.net [67.195.204.72] I=[192.0.2.10]:41234 X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=no: SMTP error from remote mail server after RCPT TO:<bob@yahoo.com>: 553 5.7.2 [TSS09] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes";

    /// <summary>Exim writes a multi-line reply with literal "\n" between the lines.</summary>
    public const string GmailUnauthenticated = @"2024-11-23 10:00:03 1tEx1c-000Ab3-BQ ** carol@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] I=[192.0.2.10]:52346 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes: SMTP error from remote mail server after pipelined end of data: 550-5.7.26 This mail has been blocked because the sender is\n550-5.7.26 unauthenticated. Gmail requires all senders to authenticate with\n550-5.7.26 either SPF or DKIM.\n550-5.7.26\n550-5.7.26  Authentication results:\n550-5.7.26  DKIM = did not pass\n550-5.7.26  SPF [news.example.com] with ip: [192.0.2.10] = did not pass\n550-5.7.26\n550-5.7.26  For instructions on setting up authentication, go to\n550 5.7.26  https://support.google.com/mail/answer/81126#authentication 5b1f17b1804b1-434a4f5b0c4si123f8f.312 - gsmtp";

    public const string WebDeDeferred = "2024-11-23 10:00:04 1tEx1d-000Ab4-CQ == dave@web.de R=dnslookup T=remote_smtp defer (-44) H=mx-ha03.web.de [212.227.17.26] I=[192.0.2.10]:39921: SMTP error from remote mail server after RCPT TO:<dave@web.de>: 450 4.3.2 Too many mails (mail bomb), try again in 1 hour(s) 25 minute(s) and see ( https://www.mxthrottle.de ) {mx-ha03}";

    [Fact]
    public void A_delivery_line_is_delivered_with_the_confirmation_and_the_outgoing_interface()
    {
        var result = Parser.Parse(GmailDelivered);

        Assert.Equal(LogLineKind.Outcome, result.Kind);
        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Delivered, new DateTimeOffset(2024, 11, 23, 10, 0, 2, TimeSpan.Zero), "192.0.2.10", "alice@gmail.com", "gmail.com",
                "gmail-smtp-in.l.google.com", 250, "2.0.0", "250 2.0.0 OK  1732356002 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp"),
            result.Outcome);
    }

    [Fact]
    public void A_failure_line_is_bounced_with_the_reply_after_the_command()
    {
        var outcome = Parser.Parse(YahooBounced).Outcome!;

        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Bounced, new DateTimeOffset(2024, 11, 23, 10, 0, 3, TimeSpan.Zero), "192.0.2.10", "bob@yahoo.com", "yahoo.com",
                "mta6.am0.yahoodns.net", 553, "5.7.2", "553 5.7.2 [TSS09] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes"),
            outcome);
    }

    [Fact]
    public void A_deferral_line_is_deferred_with_the_host_after_the_defer_code()
    {
        var outcome = Parser.Parse(WebDeDeferred).Outcome!;

        Assert.Equal((DeliveryStatus.Deferred, 450, "4.3.2", "mx-ha03.web.de", "192.0.2.10"), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx, outcome.SourceIp));
        Assert.StartsWith("450 4.3.2 Too many mails (mail bomb)", outcome.Response, StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_newlines_in_a_multi_line_reply_become_line_breaks()
    {
        var outcome = Parser.Parse(GmailUnauthenticated).Outcome!;

        Assert.Equal((550, "5.7.26"), (outcome.SmtpCode, outcome.EnhancedCode));
        Assert.StartsWith("550-5.7.26 This mail has been blocked because the sender is\n550-5.7.26 unauthenticated.", outcome.Response, StringComparison.Ordinal);
        Assert.DoesNotContain("\\n", outcome.Response, StringComparison.Ordinal);
        Assert.Equal(("google", "auth"), Classify(outcome));
    }

    [Fact]
    public void The_format_before_exim_4_80_names_the_host_inside_the_error()
    {
        var outcome = Parser.Parse(@"2012-02-13 15:11:41 1RwtmW-000MsX-CK ** xyz@gmail.com R=dnslookup T=remote_smtp: SMTP error from remote mail server after RCPT TO:<xyz@gmail.com>: host gmail-smtp-in.l.google.com [209.85.137.26]: 550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient's email address for typos or\n550-5.1.1 unnecessary spaces. Learn more at\n550 5.1.1 http://support.google.com/mail/bin/answer.py?answer=6596 b5si5289243lbn.22").Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, 550, "5.1.1", "gmail-smtp-in.l.google.com", (string?)null), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Mx, outcome.SourceIp));
        Assert.StartsWith("550-5.1.1 The email account that you tried to reach does not exist.", outcome.Response, StringComparison.Ordinal);
        Assert.Equal(("google", "user-unknown"), Classify(outcome));
    }

    [Fact]
    public void An_errno_deferral_keeps_the_system_error_and_the_host_after_it()
    {
        var outcome = Parser.Parse("2024-11-23 10:00:05 1tEx1e-000Ab5-DQ == erin@example.org R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.example.org [192.0.2.25]").Outcome!;

        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Deferred, new DateTimeOffset(2024, 11, 23, 10, 0, 5, TimeSpan.Zero), null, "erin@example.org", "example.org", "mx.example.org", null, null, "Connection timed out"),
            outcome);
    }

    [Fact]
    public void A_routing_failure_is_bounced_with_exims_own_words()
    {
        var outcome = Parser.Parse("2024-11-23 10:00:06 1tEx1f-000Ab6-EQ ** gina@example.invalid R=dnslookup: Unrouteable address").Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, (string?)null, (int?)null, "Unrouteable address"), (outcome.Status, outcome.Mx, outcome.SmtpCode, outcome.Response));
    }

    [Theory]
    [InlineData("2024-11-23 10:00:02.345 +0100 [4242] 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 2.0.0 OK\"", "2024-11-23T09:00:02.345Z")]
    [InlineData("2024-11-23 10:00:02 1xB111-000000037ku-33mU -> alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27]:25* C=\"250 2.0.0 OK\"", "2024-11-23T10:00:02Z")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q >> alice@gmail.com <alice@googlemail.com> R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com DS [142.250.102.27] C=\"250 2.0.0 OK\"", "2024-11-23T10:00:02Z")]
    [InlineData("2024-11-23T10:00:02.000000+00:00 mx1 exim[32130]: 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 2.0.0 OK\"", "2024-11-23T10:00:02Z")]
    public void Timezones_pids_new_ids_extra_recipients_cutthrough_and_syslog_are_read(string line, string time)
    {
        var outcome = Parser.Parse(line).Outcome!;

        Assert.Equal((DeliveryStatus.Delivered, "alice@gmail.com", "gmail-smtp-in.l.google.com", 250), (outcome.Status, outcome.Recipient, outcome.Mx, outcome.SmtpCode));
        Assert.Equal(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), outcome.Time);
    }

    [Theory]
    [InlineData("2024-11-23 10:00:01 1tEx1a-000Ab1-9Q <= news@example.com H=app1.example.com [192.0.2.50] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=5120 id=20241123100000.1@example.com")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q Completed")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q Frozen (delivery error message)")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q => alice <alice@example.com> R=localuser T=local_delivery")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q => |/usr/local/bin/handler <handler@example.com> R=pipe T=address_pipe")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q *> alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27]")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q == frank@example.org routing defer (-51): retry time not reached")]
    [InlineData("2024-11-23 10:00:02 1tEx1a-000Ab1-9Q == frank@example.org R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'example.org'")]
    [InlineData("2024-11-23 10:00:02 SMTP connection from app1.example.com [192.0.2.50]:41000 (TCP/IP connection count = 1)")]
    [InlineData("2024-11-23 10:00:02 H=(spammer) [198.51.100.7] F=<x@example.biz> rejected RCPT <alice@example.com>: relay not permitted")]
    [InlineData("2024-11-23 10:00:02 Start queue run: pid=4242")]
    [InlineData("Nov 23 10:00:02 mx1 dovecot: imap-login: Login: user=<alice@example.com>")]
    [InlineData("")]
    public void Lines_that_report_no_remote_delivery_are_ignored(string line)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Ignored, null, null), Parser.Parse(line));
    }

    [Theory]
    [InlineData("garbage", "no valid timestamp")]
    [InlineData("2024-13-45 99:00:00 1tEx1a-000Ab1-9Q => alice@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27]", "no valid timestamp")]
    public void Lines_without_a_valid_timestamp_are_malformed(string line, string reason)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, reason), Parser.Parse(line));
    }

    [Fact]
    public void A_recipient_longer_than_any_real_address_is_malformed()
    {
        var line = $"2024-11-23 10:00:02 1tEx1a-000Ab1-9Q ** {new string('a', 400)}@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27]: SMTP error from remote mail server after RCPT TO:<x>: 550 no";

        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, "recipient too long"), Parser.Parse(line));
    }

    [Fact]
    public void A_yahoo_bounce_classifies_as_yahoo_ip_reputation()
    {
        Assert.Equal(("yahoo", "ip-reputation"), Classify(Parser.Parse(YahooBounced).Outcome!));
    }

    private static (string?, string?) Classify(DeliveryOutcome outcome)
    {
        var result = ProviderPackTests.Classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);
        return (result.Provider, result.Kind?.ToApi());
    }
}

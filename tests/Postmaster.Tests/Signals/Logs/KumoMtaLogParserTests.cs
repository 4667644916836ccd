using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Tests.Signals.Logs;

public class KumoMtaLogParserTests
{
    private static readonly KumoMtaLogParser Parser = new();

    private static readonly DateTimeOffset At = new(2024, 11, 23, 10, 0, 2, TimeSpan.Zero);

    /// <summary>Shaped like https://docs.kumomta.com/reference/log_record/.</summary>
    public const string GmailDelivery = """{"type":"Delivery","id":"1d98076abbbc11ed940250ebf67f93bd","sender":"news@example.com","recipient":"alice@gmail.com","queue":"example.com@gmail.com","site":"source1->(alt1|alt2|alt3|alt4)?.gmail-smtp-in.l.google.com.","size":1047,"response":{"code":250,"enhanced_code":{"class":2,"subject":0,"detail":0},"content":"OK  1732356002 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp","command":"."},"peer_address":{"name":"gmail-smtp-in.l.google.com.","addr":"142.250.102.27"},"timestamp":1732356002,"created":1732356001,"num_attempts":0,"bounce_classification":"Uncategorized","egress_pool":"pool0","egress_source":"source1","source_address":{"address":"192.0.2.10:53210"},"feedback_report":null,"meta":{"campaign":"nov"},"headers":{},"delivery_protocol":"ESMTP","reception_protocol":"ESMTP","nodeid":"557f3ad4-2c8c-11ee-976e-782d7e12e173","tls_cipher":"TLS_AES_256_GCM_SHA384","tls_protocol_version":"TLSv1.3","session_id":"9bcd689e-23d9-41b7-a015-63a1382f8b57"}""";

    public const string OutlookBounce = """{"type":"Bounce","id":"2e98076abbbc11ed940250ebf67f93be","sender":"news@example.com","recipient":"dave@hotmail.com","queue":"example.com@hotmail.com","site":"source1->hotmail-com.olc.protection.outlook.com.","size":2048,"response":{"code":550,"enhanced_code":{"class":5,"subject":7,"detail":1},"content":"Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com]","command":"MAIL FROM:<news@example.com>\r\n"},"peer_address":{"name":"hotmail-com.olc.protection.outlook.com.","addr":"52.101.42.5"},"timestamp":1732356002,"created":1732356001,"num_attempts":1,"bounce_classification":"Uncategorized","egress_pool":"pool0","egress_source":"source1","source_address":{"address":"192.0.2.10:41000","protocol":"socks5","server":"10.0.0.5:5000"},"feedback_report":null,"meta":{},"headers":{},"delivery_protocol":"ESMTP","reception_protocol":"HTTP","nodeid":"557f3ad4-2c8c-11ee-976e-782d7e12e173"}""";

    public const string YahooTransientFailure = """{"type":"TransientFailure","id":"3f98076abbbc11ed940250ebf67f93bf","sender":"news@example.com","recipient":"erin@yahoo.com","queue":"example.com@yahoo.com","site":"source2->(mta5|mta6|mta7).am0.yahoodns.net.","size":2048,"response":{"code":421,"enhanced_code":{"class":4,"subject":7,"detail":0},"content":"[TSS04] Messages from 2001:db8::10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes","command":"MAIL FROM:<news@example.com>\r\n"},"peer_address":{"name":"mta7.am0.yahoodns.net.","addr":"67.195.204.77"},"timestamp":1732356002,"created":1732356001,"num_attempts":2,"bounce_classification":"Uncategorized","egress_pool":"pool0","egress_source":"source2","source_address":{"address":"[2001:db8::10]:41000"},"feedback_report":null,"meta":{},"headers":{},"delivery_protocol":"ESMTP","reception_protocol":"ESMTP","nodeid":"557f3ad4-2c8c-11ee-976e-782d7e12e173"}""";

    [Fact]
    public void A_delivery_record_is_delivered_with_the_reply_rebuilt_from_its_parts()
    {
        var result = Parser.Parse(GmailDelivery);

        Assert.Equal(LogLineKind.Outcome, result.Kind);
        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Delivered, At, "192.0.2.10", "alice@gmail.com", "gmail.com", "gmail-smtp-in.l.google.com", 250, "2.0.0",
                "250 2.0.0 OK  1732356002 5b1f17b1804b1-434a4f5b0c4si1234567f8f.312 - gsmtp"),
            result.Outcome);
    }

    [Fact]
    public void A_bounce_record_is_bounced_and_the_proxied_source_address_is_the_egress_address()
    {
        var outcome = Parser.Parse(OutlookBounce).Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, "192.0.2.10", "hotmail-com.olc.protection.outlook.com", 550, "5.7.1"), (outcome.Status, outcome.SourceIp, outcome.Mx, outcome.SmtpCode, outcome.EnhancedCode));
        Assert.StartsWith("550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent.", outcome.Response, StringComparison.Ordinal);
        Assert.Equal(("microsoft", "ip-reputation"), Classify(outcome));
    }

    [Fact]
    public void A_transient_failure_is_deferred_and_an_ipv6_source_loses_its_brackets_and_port()
    {
        var outcome = Parser.Parse(YahooTransientFailure).Outcome!;

        Assert.Equal((DeliveryStatus.Deferred, "2001:db8::10", "mta7.am0.yahoodns.net", 421, "4.7.0", "erin@yahoo.com", "yahoo.com"),
            (outcome.Status, outcome.SourceIp, outcome.Mx, outcome.SmtpCode, outcome.EnhancedCode, outcome.Recipient, outcome.RecipientDomain));
        Assert.Equal(At, outcome.Time);
        Assert.Equal(("yahoo", "rate-limit"), Classify(outcome));
    }

    [Fact]
    public void A_record_without_an_enhanced_code_or_peer_is_still_read()
    {
        var outcome = Parser.Parse("""{"type":"TransientFailure","recipient":"x@example.org","timestamp":1732356002,"response":{"code":451,"enhanced_code":null,"content":"KumoMTA internal: failed to connect to any candidate hosts","command":null},"peer_address":null,"source_address":null}""").Outcome!;

        Assert.Equal(
            new DeliveryOutcome(DeliveryStatus.Deferred, At, null, "x@example.org", "example.org", null, 451, null, "451 KumoMTA internal: failed to connect to any candidate hosts"),
            outcome);
    }

    [Fact]
    public void A_batched_record_stands_for_its_first_recipient()
    {
        var outcome = Parser.Parse("""{"type":"Delivery","recipient":["first@gmail.com","second@gmail.com"],"timestamp":1732356002,"response":{"code":250,"content":"OK"}}""").Outcome!;

        Assert.Equal(("first@gmail.com", "250 OK"), (outcome.Recipient, outcome.Response));
    }

    [Fact]
    public void An_out_of_band_5xx_report_is_bounced_without_an_mx()
    {
        var outcome = Parser.Parse("""{"type":"OOB","recipient":"gone@example.org","timestamp":1732356002,"response":{"code":550,"enhanced_code":{"class":5,"subject":1,"detail":1},"content":"user unknown"},"peer_address":{"name":"bounce-handler.example.org","addr":"192.0.2.99"}}""").Outcome!;

        Assert.Equal((DeliveryStatus.Bounced, (string?)null, "550 5.1.1 user unknown"), (outcome.Status, outcome.Mx, outcome.Response));
    }

    [Theory]
    [InlineData("""{"type":"Reception","recipient":"alice@example.com","timestamp":1732356002,"response":{"code":250,"content":""},"peer_address":{"name":"app1","addr":"192.0.2.50"}}""")]
    [InlineData("""{"type":"Expiration","recipient":"alice@example.com","timestamp":1732356002,"response":{"code":551,"content":"Next delivery time would be after the expiration"}}""")]
    [InlineData("""{"type":"AdminBounce","recipient":"alice@example.com","timestamp":1732356002,"response":{"code":551,"content":"Administratively failed"}}""")]
    [InlineData("""{"type":"Feedback","recipient":"alice@example.com","timestamp":1732356002,"feedback_report":{"feedback_type":"abuse"}}""")]
    [InlineData("""{"type":"Rejection","recipient":"alice@example.com","timestamp":1732356002}""")]
    [InlineData("""{"type":"SomethingNew","recipient":"alice@example.com"}""")]
    [InlineData("""{"type":"OOB","recipient":"alice@example.com","response":{"code":450,"content":"delayed"}}""")]
    [InlineData("""{"type":"Delivery","recipient":"alice@example.com","timestamp":1732356002,"response":{"code":250,"content":"ok"},"delivery_protocol":"Maildir"}""")]
    [InlineData("")]
    public void Records_that_report_no_delivery_to_a_receiver_are_ignored(string line)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Ignored, null, null), Parser.Parse(line));
    }

    [Theory]
    [InlineData("Nov 23 10:00:01 mx1 postfix/smtp[1]: hello", "not a JSON object")]
    [InlineData("""{"type":"Delivery","recipient":"alice@gmail.com" """, "invalid JSON")]
    [InlineData("""{"type":"Delivery","recipient":"alice@gmail.com"} {"type":"Bounce"}""", "invalid JSON")]
    [InlineData("""{"recipient":"alice@gmail.com"}""", "no type")]
    [InlineData("""{"type":42,"recipient":"alice@gmail.com"}""", "type is not a string")]
    [InlineData("""{"type":"Bounce","timestamp":1732356002}""", "no recipient")]
    [InlineData("""{"type":"Bounce","recipient":""}""", "empty recipient")]
    public void Records_that_cannot_be_read_are_malformed_with_a_reason(string line, string reason)
    {
        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, reason), Parser.Parse(line));
    }

    [Fact]
    public void Nesting_deeper_than_a_log_record_has_is_malformed_not_a_stack_overflow()
    {
        var line = """{"type":"Bounce","recipient":"a@example.com","meta":""" + new string('[', 100_000) + new string(']', 100_000) + "}";

        Assert.Equal(new LogLineResult(LogLineKind.Malformed, null, "invalid JSON"), Parser.Parse(line));
    }

    [Fact]
    public void Nested_meta_and_headers_within_the_depth_limit_are_skipped()
    {
        var line = """{"type":"Bounce","meta":{"a":{"b":{"c":[1,{"d":null}]}}},"headers":{"Subject":"x"},"recipient":"a@example.com","response":{"code":550,"content":"no"}}""";

        Assert.Equal("550 no", Parser.Parse(line).Outcome!.Response);
    }

    [Fact]
    public void Huge_content_is_cut_to_the_outcome_limit()
    {
        var line = """{"type":"Bounce","recipient":"a@example.com","response":{"code":550,"content":" """ + new string('x', 100_000) + "\"}}";

        Assert.Equal(DeliveryOutcome.MaxResponseLength, Parser.Parse(line).Outcome!.Response!.Length);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("1e300")]
    [InlineData("\"yesterday\"")]
    [InlineData("null")]
    public void An_unreadable_timestamp_leaves_the_time_empty(string timestamp)
    {
        var outcome = Parser.Parse("{\"type\":\"Bounce\",\"recipient\":\"a@example.com\",\"timestamp\":" + timestamp + "}").Outcome!;

        Assert.Null(outcome.Time);
    }

    private static (string?, string?) Classify(DeliveryOutcome outcome)
    {
        var result = ProviderPackTests.Classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);
        return (result.Provider, result.Kind?.ToApi());
    }
}

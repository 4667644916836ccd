using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Probes;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>The probe client against a scripted SMTP server on 127.0.0.1 that accepts, rejects, stays silent or floods.</summary>
public class SmtpProbeTests
{
    /// <summary>Outlook.com's S3150 refusal (the wording of the pack's examples), as a multi-line reply.</summary>
    public const string OutlookS3150 =
        "550-5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your Internet service provider since part of their network\n" +
        "550-5.7.1 is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.\n" +
        "550 5.7.1 [VE1EUR01FT080.eop-EUR01.prod.protection.outlook.com]";

    public const string TOnlineGreeting = "554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)";

    public const string YahooTss04 = "421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SmtpProbeRequest Request(ScriptedSmtpServer server, TimeSpan? step = null) => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        HeloName = "probe.example.net",
        MailFrom = "probe@example.net",
        Recipient = "postmaster@outlook.com",
        StepTimeout = step ?? TimeSpan.FromSeconds(10),
        Deadline = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task An_accepted_recipient_goes_ehlo_mail_rcpt_quit_and_never_data()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript());

        var result = await SmtpProbe.RunAsync(Request(server), Ct);

        var session = await server.SingleSessionAsync();
        Assert.Equal(["EHLO probe.example.net", "MAIL FROM:<probe@example.net>", "RCPT TO:<postmaster@outlook.com>", "QUIT"], session.Commands);
        Assert.DoesNotContain(session.Commands, c => c.StartsWith("DATA", StringComparison.OrdinalIgnoreCase));
        Assert.Equal((ProbeStep.RcptTo, ProbeVerdict.Accepted, 250, "2.1.5", "250 2.1.5 Recipient OK"), (result.Step, result.Verdict, result.Code, result.EnhancedCode, result.Reply));
        Assert.True(result.RecipientAccepted);
        Assert.Contains("S: 250-PIPELINING", result.Transcript);
        Assert.Equal("S: 221 2.0.0 Service closing transmission channel", result.Transcript[^1]);

        // Not a delivery: it must not feed "last delivered" for quiet senders.
        Assert.Null(result.ToOutcome(DateTimeOffset.UtcNow, "127.0.0.1", "postmaster@outlook.com", "127.0.0.1"));
    }

    [Fact]
    public async Task A_multi_line_S3150_refusal_at_RCPT_is_joined_as_a_log_shows_it_and_classifies_as_microsoft_ip_reputation()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Rcpt = OutlookS3150 });

        var result = await SmtpProbe.RunAsync(Request(server), Ct);

        var session = await server.SingleSessionAsync();
        Assert.Equal(["EHLO probe.example.net", "MAIL FROM:<probe@example.net>", "RCPT TO:<postmaster@outlook.com>", "QUIT"], session.Commands);
        Assert.Equal((ProbeStep.RcptTo, ProbeVerdict.Rejected, 550, "5.7.1"), (result.Step, result.Verdict, result.Code, result.EnhancedCode));
        Assert.False(result.RecipientAccepted);
        Assert.Equal(OutlookS3150.Replace('\n', ' '), result.Reply);

        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var outcome = result.ToOutcome(at, "127.0.0.1", "postmaster@outlook.com", "127.0.0.1");
        Assert.Equal(new DeliveryOutcome(DeliveryStatus.Bounced, at, "127.0.0.1", "postmaster@outlook.com", "outlook.com", "127.0.0.1", 550, "5.7.1", result.Reply), outcome);
        var classification = ProviderPackTests.Classifier.Classify(outcome!.Response, outcome.RecipientDomain, outcome.Mx);
        Assert.Equal(("microsoft", SignalKind.IpReputation, "microsoft-s3150"), (classification.Provider, classification.Kind, classification.MatchedRule));
    }

    [Fact]
    public async Task A_554_greeting_decides_at_once_and_the_probe_still_says_QUIT()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Greeting = TOnlineGreeting });

        var result = await SmtpProbe.RunAsync(Request(server) with { Recipient = "postmaster@t-online.de" }, Ct);

        Assert.Equal(["QUIT"], (await server.SingleSessionAsync()).Commands);
        Assert.Equal((ProbeStep.Greeting, ProbeVerdict.Rejected, 554, null, TOnlineGreeting), (result.Step, result.Verdict, result.Code, result.EnhancedCode, result.Reply));
        var outcome = result.ToOutcome(DateTimeOffset.UtcNow, "127.0.0.1", "postmaster@t-online.de", "mx00.t-online.de")!;
        Assert.Equal((DeliveryStatus.Bounced, "t-online.de"), (outcome.Status, outcome.RecipientDomain));
        Assert.Equal("t-online", ProviderPackTests.Classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx).Provider);
    }

    [Fact]
    public async Task A_421_at_MAIL_is_a_deferral_and_nothing_more_is_sent()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Mail = YahooTss04 });

        var result = await SmtpProbe.RunAsync(Request(server) with { Recipient = "postmaster@yahoo.com" }, Ct);

        var commands = (await server.SingleSessionAsync()).Commands;
        Assert.Equal(["EHLO probe.example.net", "MAIL FROM:<probe@example.net>"], commands); // the server hung up after 421: QUIT went nowhere
        Assert.Equal((ProbeStep.MailFrom, ProbeVerdict.Deferred, 421, "4.7.0", YahooTss04), (result.Step, result.Verdict, result.Code, result.EnhancedCode, result.Reply));
        var outcome = result.ToOutcome(DateTimeOffset.UtcNow, "127.0.0.1", "postmaster@yahoo.com", "mta7.am0.yahoodns.net")!;
        Assert.Equal((DeliveryStatus.Deferred, 421, "4.7.0"), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode));
    }

    [Fact]
    public async Task A_rejected_EHLO_decides_at_EHLO()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Ehlo = "550 5.7.1 Client host rejected: cannot find your hostname" });

        var result = await SmtpProbe.RunAsync(Request(server), Ct);

        Assert.Equal(["EHLO probe.example.net", "QUIT"], (await server.SingleSessionAsync()).Commands);
        Assert.Equal((ProbeStep.Ehlo, ProbeVerdict.Rejected, 550), (result.Step, result.Verdict, result.Code));
    }

    [Fact]
    public async Task A_server_that_never_greets_fails_when_the_step_timeout_passes()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Greeting = null });
        var clock = Stopwatch.StartNew();

        var result = await SmtpProbe.RunAsync(Request(server, step: TimeSpan.FromSeconds(1)), Ct);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        Assert.Equal((ProbeStep.Greeting, ProbeVerdict.Failed, null), (result.Step, result.Verdict, result.Code));
        Assert.Equal($"conversation with 127.0.0.1[127.0.0.1]:{server.Port} timed out after 1 s while receiving the initial server greeting", result.Error);
        Assert.Empty((await server.SingleSessionAsync()).Commands); // no QUIT into a connection that never spoke

        var outcome = result.ToOutcome(DateTimeOffset.UtcNow, "127.0.0.1", "postmaster@outlook.com", "127.0.0.1")!;
        Assert.Equal((DeliveryStatus.Deferred, null, null, result.Error), (outcome.Status, outcome.SmtpCode, outcome.EnhancedCode, outcome.Response));
    }

    [Fact]
    public async Task A_server_that_goes_silent_at_RCPT_fails_there()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Rcpt = null });

        var result = await SmtpProbe.RunAsync(Request(server, step: TimeSpan.FromSeconds(1)), Ct);

        Assert.Equal((ProbeStep.RcptTo, ProbeVerdict.Failed), (result.Step, result.Verdict));
        Assert.EndsWith("timed out after 1 s in reply to RCPT TO", result.Error, StringComparison.Ordinal);
        Assert.Equal(["EHLO probe.example.net", "MAIL FROM:<probe@example.net>", "RCPT TO:<postmaster@outlook.com>"], (await server.SingleSessionAsync()).Commands);
    }

    [Fact]
    public async Task The_overall_deadline_bounds_the_conversation_even_with_a_long_step_timeout()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Greeting = null });
        var clock = Stopwatch.StartNew();

        var result = await SmtpProbe.RunAsync(Request(server, step: TimeSpan.FromSeconds(60)) with { Deadline = TimeSpan.FromSeconds(1) }, Ct);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        Assert.Equal(ProbeVerdict.Failed, result.Verdict);
        Assert.Contains("the probe's deadline of 1 s passed", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Hostility.EndlessLine, "the server sent a line longer than 2000 characters while receiving the initial server greeting")]
    [InlineData(Hostility.EndlessLines, "the reply has more than 100 lines while receiving the initial server greeting")]
    [InlineData(Hostility.Garbage, "the server sent something that is not an SMTP reply")]
    public async Task A_flooding_or_garbage_server_ends_as_a_bounded_failure(Hostility hostility, string error)
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Hostility = hostility });
        var clock = Stopwatch.StartNew();

        var result = await SmtpProbe.RunAsync(Request(server), Ct);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal((ProbeStep.Greeting, ProbeVerdict.Failed), (result.Step, result.Verdict));
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.True(result.Transcript.Count == 0, "nothing of a broken reply is kept");
    }

    [Fact]
    public async Task A_reply_over_16_KB_is_refused()
    {
        var huge = string.Join('\n', Enumerable.Range(0, 60).Select(i => $"250-{new string('y', 300)}")) + "\n250 OK";
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Ehlo = huge });

        var result = await SmtpProbe.RunAsync(Request(server), Ct);

        Assert.Equal((ProbeStep.Ehlo, ProbeVerdict.Failed, "the reply is longer than 16 KB in reply to EHLO"), (result.Step, result.Verdict, result.Error));
    }

    [Fact]
    public async Task The_connection_comes_from_the_chosen_source_IP()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript());

        var result = await SmtpProbe.RunAsync(Request(server) with { SourceIp = IPAddress.Loopback }, Ct);

        var session = await server.SingleSessionAsync();
        Assert.Equal(IPAddress.Loopback, session.Remote.Address);
        Assert.Equal(session.Remote, result.LocalEndPoint); // the very connection the server saw
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, server.Port), result.RemoteEndPoint);
    }

    [Fact]
    public async Task A_refused_connection_is_a_failed_probe_at_connect()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var result = await SmtpProbe.RunAsync(
            new SmtpProbeRequest { Host = "127.0.0.1", Port = port, HeloName = "probe.example.net", Recipient = "postmaster@outlook.com", StepTimeout = TimeSpan.FromSeconds(5) }, Ct);

        Assert.Equal((ProbeStep.Connect, ProbeVerdict.Failed), (result.Step, result.Verdict));
        Assert.StartsWith($"connect to 127.0.0.1[127.0.0.1]:{port}: ", result.Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Deferred, result.ToOutcome(DateTimeOffset.UtcNow, null, "postmaster@outlook.com", "127.0.0.1")!.Status);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_a_local_error_and_no_signal()
    {
        var result = await SmtpProbe.RunAsync(
            new SmtpProbeRequest { Host = "mx.probe-test.invalid", HeloName = "probe.example.net", Recipient = "postmaster@outlook.com", StepTimeout = TimeSpan.FromSeconds(5) }, Ct);

        Assert.Equal((ProbeStep.Connect, ProbeVerdict.LocalError), (result.Step, result.Verdict));
        Assert.Null(result.ToOutcome(DateTimeOffset.UtcNow, null, "postmaster@outlook.com", "mx.probe-test.invalid"));
    }

    [Fact]
    public async Task Only_the_callers_cancellation_throws()
    {
        await using var server = ScriptedSmtpServer.Start(new SmtpScript { Greeting = null });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SmtpProbe.RunAsync(Request(server), cancel.Token));
    }

    [Theory]
    [InlineData("postmaster@outlook.com\r\nDATA")]
    [InlineData("<postmaster@outlook.com>")]
    [InlineData("post master@outlook.com")]
    [InlineData("")]
    public async Task A_recipient_that_would_smuggle_a_command_is_refused_before_connecting(string recipient)
    {
        var request = new SmtpProbeRequest { Host = "127.0.0.1", HeloName = "probe.example.net", Recipient = recipient };

        await Assert.ThrowsAsync<ArgumentException>(() => SmtpProbe.RunAsync(request, Ct));
    }

    [Theory]
    [InlineData("550 5.7.1 Unfortunately", "5.7.1")]
    [InlineData("550-5.7.1 more", "5.7.1")]
    [InlineData("421 4.7.0 [TSS04] Messages", "4.7.0")]
    [InlineData("452 4.2.2 The email account is over quota", "4.2.2")]
    [InlineData("550 5.7.606 Access denied", "5.7.606")]
    [InlineData("250 2.1.5", "2.1.5")]
    [InlineData("550 5.7.1, rejected", "5.7.1")]
    [InlineData("554 IP=192.0.2.1 - A problem occurred", null)]
    [InlineData("550 5.7.1234 too long", null)]
    [InlineData("550 6.7.1 not a class", null)]
    [InlineData("550 5.7.1.2 four parts", null)]
    [InlineData("550 5.7.1abc", null)]
    [InlineData("550 Requested action not taken", null)]
    [InlineData("550", null)]
    public void The_enhanced_code_is_read_right_after_the_reply_code(string line, string? expected) =>
        Assert.Equal(expected, SmtpReplyReader.ParseEnhancedCode(line));

    [Theory]
    [InlineData("250 OK", 250, true)]
    [InlineData("250-PIPELINING", 250, false)]
    [InlineData("220", 220, true)]
    public void Reply_lines_are_code_then_space_or_dash(string line, int code, bool last)
    {
        Assert.True(SmtpReplyReader.TryParseCode(line, out var parsed, out var isLast));
        Assert.Equal((code, last), (parsed, isLast));
    }

    [Theory]
    [InlineData("OK 250")]
    [InlineData("25")]
    [InlineData("250OK")]
    [InlineData("650 nope")]
    [InlineData("150 nope")]
    public void Anything_else_is_not_a_reply_line(string line) =>
        Assert.False(SmtpReplyReader.TryParseCode(line, out _, out _));
}

using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Signals.Bounces;

/// <summary>
/// The 629 real bounces Sisimai collected (../shared/corpus/bounces, see its README) and its 3 non-bounces:
/// every one is read, nearly all give a recipient with a reply, the non-bounces are recognised, and a few
/// well-known formats give exactly the fields they carry.
/// </summary>
public class BounceCorpusTests
{
    /// <summary>
    /// Measured on the corpus: 599 of 629 read as bounces and 597 (94.9 %) with a recipient that has a reply or a code.
    /// Of the rest, 23 are not bounces at all (17 ARF complaints, 6 RFC 3834 auto-replies) and 3 are Amazon SES
    /// complaint/delivery notifications, so the threshold is close to the ceiling on purpose.
    /// </summary>
    private const double MinimumShareWithReply = 0.94;

    private static readonly string Bounces = Path.Combine(RepoPaths.Corpus, "bounces", "maildir", "bsd");
    private static readonly string NotBounces = Path.Combine(RepoPaths.Corpus, "bounces", "maildir", "not");

    /// <summary>Every corpus file read once, for the tests that look at all of them.</summary>
    private static readonly Lazy<IReadOnlyList<(string File, BounceReport Report)>> Corpus = new(() =>
        CorpusFiles(Bounces).Select(f => (Path.GetFileName(f), Parse(f))).ToList());

    [Fact]
    public void Every_corpus_message_is_read_without_an_error()
    {
        var files = CorpusFiles(Bounces);
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                // Parse never throws on bad input; "could not be read" is how an exception inside it would show.
                if (Parse(file).NotABounceBecause is { } why && (why.StartsWith("the message could not be read", StringComparison.Ordinal) || why.StartsWith("not a readable MIME message", StringComparison.Ordinal)))
                {
                    failures.Add($"{Path.GetFileName(file)}: {why}");
                }
            }
#pragma warning disable CA1031 // the point is to name every file that fails, not to stop at the first
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.Equal(629, files.Length);
        Assert.Empty(failures);
    }

    [Fact]
    public void Nearly_every_corpus_bounce_names_a_recipient_with_a_reply_or_a_code()
    {
        var reports = Corpus.Value;

        var without = reports
            .Where(r => !r.Report.IsBounce || !r.Report.Recipients.Any(x => x.Response is not null || x.SmtpCode is not null))
            .Select(r => r.File)
            .ToList();

        var share = 1 - ((double)without.Count / reports.Count);
        Assert.True(share >= MinimumShareWithReply, $"{share:P1} of {reports.Count} with a reply or code; without: {string.Join(", ", without)}");
    }

    [Fact]
    public void Every_bounce_recipient_is_bounded()
    {
        foreach (var (file, report) in Corpus.Value)
        {
            foreach (var r in report.Recipients)
            {
                Assert.True(r.Response is null || r.Response.Length <= DeliveryOutcome.MaxResponseLength, file);
                Assert.True(r.Recipient is null || r.Recipient.Length <= 320, file);
                Assert.True(r.SmtpCode is null or (>= 200 and < 600), file);
            }
        }
    }

    [Theory]
    [InlineData("is-not-bounce-01.eml", "ordinary mail")]
    [InlineData("is-not-bounce-02.eml", "ordinary mail")] // a message that attaches another one
    [InlineData("rb-issue-368-bug.eml", "names no failed recipient")] // a free-text notice without any recipient line or code
    public void The_corpus_non_bounces_are_not_bounces(string file, string because)
    {
        var report = Parse(Path.Combine(RequireCorpus(NotBounces), file));

        Assert.False(report.IsBounce);
        Assert.Empty(report.Recipients);
        Assert.Contains(because, report.NotABounceBecause, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arf-01.eml", "ARF feedback report")]
    [InlineData("rfc3834-01.eml", "automatic reply (Auto-Submitted: auto-replied)")]
    [InlineData("rfc3834-02.eml", "automatic reply")]
    [InlineData("lhost-amazonses-11.eml", "Amazon SES complaint")]
    public void Complaints_and_auto_replies_in_the_corpus_are_not_bounces(string file, string because)
    {
        var report = Parse(Path.Combine(RequireCorpus(Bounces), file));

        Assert.False(report.IsBounce);
        Assert.Contains(because, report.NotABounceBecause, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, int?, string?, string?, string> Examples() => new()
    {
        // Postfix DSN (multipart/report): every field from the delivery-status part.
        { "lhost-postfix-09.eml", "kijitora@example.ne.jp", "bounced", 452, "4.3.2", "dns; mgate02.dti.ne.jp", "452 4.3.2 Connection rate limit exceeded." },

        // Gmail's 5.7.26 (SPF hard fail) through a Postfix DSN: the folded multi-line reply joined into one line.
        { "rhost-google-03.eml", "kijitora@google.example.com", "bounced", 550, "5.7.26", "dns; gmail-smtp-in.l.google.com", "550-5.7.26 The MAIL FROM domain [mail4.example.com] has an SPF record with a 550-5.7.26 hard fail policy (-all) but it fails to pass SPF checks with the ip: 550-5.7.26 [192.0.2.24]." },

        // Office 365 NDR: HTML-ish text part first, the DSN fields decide.
        { "lhost-office365-13.eml", "kijitora-nyaan@neko.kyoto.example.jp", "bounced", 550, "5.1.10", null, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup" },

        // Exim "Mail delivery failed" (not a DSN): recipient, "host ... [ip]: 550 ..." reply, remote host.
        { "lhost-exim-01.eml", "kijitora@example.ed.jp", "bounced", 550, "5.7.0", "mx.example.jp", "550 5.7.0 <shironeko@example.jp>... Please use the smtp server of your ISP." },

        // Exim delay warning: deferred, not bounced.
        { "lhost-exim-38.eml", "kijitora@example.co.jp", "deferred", 450, null, "mta-nyaan.example.co.jp", "450 service permits 2 unverifyable sending IPs - neko.example.com is not 203.0.113.222" },

        // qmail "failure notice": "<rcpt>:" then "remote host ... said: 550 ...", enhanced code from "(#5.5.0)".
        { "lhost-qmail-01.eml", "kijitora@example.ne.jp", "bounced", 550, "5.5.0", "192.0.2.32", "550 Unknown user kijitora@example.ne.jp . (#5.5.0)" },

        // Yahoo's own format.
        { "lhost-yahoo-01.eml", "kijitora@example.org", "bounced", 550, "5.1.1", null, "550 5.1.1 <kijitora@example.org>... User Unknown [RCPT_TO]" },

        // Amazon SES bounce notification (JSON by mail).
        { "lhost-amazonses-09.eml", "bounce@simulator.amazonses.com", "bounced", 550, "5.1.1", null, "550 5.1.1 user unknown" },

        // A DSN whose declared MIME boundary never occurs: re-read with the boundary its delimiter lines use.
        { "rhost-google-02.eml", "neko-nyaan@example.org", "bounced", 550, "5.1.1", "dns; aspmx.l.google.com", "550-5.1.1 The email account that you tried to reach does not exist." },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_known_format_gives_exactly_its_fields(string file, string recipient, string status, int? code, string? enhanced, string? remoteMta, string responseStart)
    {
        var report = Parse(Path.Combine(RequireCorpus(Bounces), file));

        Assert.True(report.IsBounce, report.NotABounceBecause);
        var r = Assert.Single(report.Recipients);
        Assert.Equal((recipient, status, code, enhanced, remoteMta), (r.Recipient, r.Status.ToApi(), r.SmtpCode, r.EnhancedCode, r.RemoteMta));
        Assert.StartsWith(responseStart, r.Response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_notice_listing_two_recipients_gives_each_its_own_reply()
    {
        var report = Parse(Path.Combine(RequireCorpus(Bounces), "lhost-exim-02.eml"));

        Assert.Equal(
            [("kijitora@example.jp", 550, "5.1.1"), ("sabatora@example.jp", 550, "5.2.1")],
            report.Recipients.Select(r => (r.Recipient, r.SmtpCode, r.EnhancedCode)).ToList());
    }

    [Fact]
    public void A_gmail_5_7_26_bounce_classifies_as_google_auth()
    {
        var report = Parse(Path.Combine(RequireCorpus(Bounces), "rhost-google-03.eml"));

        var outcome = BounceParser.ToOutcome(Assert.Single(report.Recipients));
        var result = ProviderPackTests.Classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);

        Assert.Equal(("google.example.com", "gmail-smtp-in.l.google.com"), (outcome.RecipientDomain, outcome.Mx));
        Assert.Equal(("google", SignalKind.Auth), (result.Provider, result.Kind));
    }

    private static BounceReport Parse(string file)
    {
        using var stream = File.OpenRead(file);
        return BounceParser.Parse(stream, TestContext.Current.CancellationToken);
    }

    private static string[] CorpusFiles(string folder) => Directory.GetFiles(RequireCorpus(folder), "*.eml").Order(StringComparer.Ordinal).ToArray();

    private static string RequireCorpus(string folder)
    {
        Requirement.Require(Directory.Exists(folder) ? null : $"the bounce corpus is missing: {folder} (../shared/corpus beside the checkout, see its README)");
        return folder;
    }
}

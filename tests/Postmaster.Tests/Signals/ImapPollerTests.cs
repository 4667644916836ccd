using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Postmaster.Core.Signals.Bounces;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Signals;

/// <summary>
/// The bounce mailbox is read over IMAP from a real Dovecot on loopback: bounces from the corpus are
/// delivered into its Maildir, one poll records their outcomes and flags them \Seen, the next reads nothing.
/// </summary>
public sealed class ImapPollerTests : IAsyncLifetime
{
    private static readonly TimeSpan FirstPollTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-imap-").FullName;
    private DovecotServer? _dovecot;
    private PostmasterApp? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Maildir => Path.Combine(RepoPaths.Corpus, "bounces", "maildir");

    /// <summary>A Postfix DSN for two unknown users at one domain.</summary>
    private static string PostfixTwoRecipients => Path.Combine(Maildir, "bsd", "lhost-postfix-02.eml");

    /// <summary>A Postfix DSN quoting Gmail's 550 5.7.25 (the sending IP has no PTR record: a policy refusal in the Google pack).</summary>
    private static string GmailRefusedIp => Path.Combine(Maildir, "bsd", "rhost-google-06.eml");

    /// <summary>Ordinary mail that landed in the bounce mailbox.</summary>
    private static string NotABounce => Path.Combine(Maildir, "not", "is-not-bounce-01.eml");

    /// <summary>Dovecot, and the corpus the messages come from.</summary>
    private static string? UnavailableReason => DovecotServer.UnavailableReason
        ?? (Directory.Exists(Maildir) ? null : $"the bounce corpus is missing: {Maildir} (../shared/corpus beside the checkout, see its README)");

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null && !Requirement.InCi)
        {
            return; // each test then skips with the reason
        }

        Requirement.Require(UnavailableReason);
        _dovecot = await DovecotServer.StartAsync(Ct);
        _app = PostmasterApp.Sqlite(_dir, settings: Settings());
        _ = _app.Services;

        // The app polls the mailbox once right at start-up (then daily here); the tests deliver only after
        // that poll, so what they poll themselves is theirs alone.
        await WaitForStartupPollAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_dovecot is not null)
        {
            await _dovecot.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_poll_records_the_bounces_outcomes_ignores_other_mail_and_reads_each_message_once()
    {
        Requirement.Require(UnavailableReason);
        var files = new[] { PostfixTwoRecipients, GmailRefusedIp, NotABounce };
        Assert.All(files, f => Assert.True(File.Exists(f), $"Corpus message missing: {f}"));

        // What the parser reads from the same bytes: two recipients, one, and not a bounce.
        Assert.Equal([2, 1, 0], files.Select(f => RecipientsIn(f)).ToArray());
        foreach (var file in files)
        {
            _dovecot!.Deliver(await File.ReadAllBytesAsync(file, Ct));
        }

        var first = await PollAsync();

        Assert.Equal(3, first.Accepted);
        Assert.Equal(1, first.Ignored);
        Assert.Equal(0, first.Malformed);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dovecot!.Maildir, "new")));
        Assert.All(Directory.GetFiles(Path.Combine(_dovecot.Maildir, "cur")), f => Assert.EndsWith(",S", f, StringComparison.Ordinal)); // Maildir's \Seen

        using var api = _app!.Api();
        var summary = (await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2000-01-01T00:00:00Z", Ct)).EnumerateArray()
            .Select(r => $"{r.GetProperty("provider").GetString()}/{r.GetProperty("kind").GetString()}/{r.GetProperty("status").GetString()}={r.GetProperty("count").GetInt64()}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["/user-unknown/bounced=2", "google/policy/bounced=1"], summary);

        var second = await PollAsync();

        Assert.Equal(0, second.Accepted);
        Assert.Equal(0, second.Ignored);
        Assert.Equal(0, second.Malformed);
        await using var scope = _app.Services.CreateAsyncScope();
        var reports = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().IngestReports.AsNoTracking()
            .Where(r => r.Origin == $"imap:{_dovecot.Host}/INBOX").OrderBy(r => r.Id).Select(r => new { r.Accepted, r.Ignored }).ToListAsync(Ct);
        Assert.Equal([(3L, 1L)], reports.Select(r => (r.Accepted, r.Ignored))); // empty polls (start-up, second) leave no report
    }

    [Fact]
    public async Task A_wrong_password_throws_authentication_failure_which_the_job_logs_and_survives()
    {
        Requirement.Require(UnavailableReason);
        _dovecot!.Deliver(await File.ReadAllBytesAsync(GmailRefusedIp, Ct));
        await using var scope = _app!.Services.CreateAsyncScope();
        var options = Options.Create(new SignalOptions
        {
            Imap = new ImapSource { Host = _dovecot.Host, Port = _dovecot.Port, Security = "none", UserName = _dovecot.User, Password = "not-" + _dovecot.Password },
        });
        var poller = new ImapPoller(scope.ServiceProvider.GetRequiredService<SignalIngestor>(), options, NullLogger<ImapPoller>.Instance);

        await Assert.ThrowsAsync<AuthenticationException>(() => poller.PollAsync(Ct));

        // The scheduled job catches it: an unreachable mailbox is logged, and polling goes on.
        await new ImapPollJob(poller, _app.Services.GetRequiredService<ILogger<ImapPollJob>>()).Execute(null!, Ct);
        Assert.Contains("Bounce mailbox poll failed", _app.Logs);
        Assert.Contains("auth failed", _dovecot.ReadLog(), StringComparison.Ordinal);

        // Nothing was read: the message is still new, and the right password gets it.
        Assert.Single(Directory.GetFiles(Path.Combine(_dovecot.Maildir, "new")));
        var counter = await PollAsync();
        Assert.Equal(1, counter.Accepted);
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Postmaster:Signals:Imap:Host"] = _dovecot!.Host,
        ["Postmaster:Signals:Imap:Port"] = _dovecot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Postmaster:Signals:Imap:Security"] = "none",
        ["Postmaster:Signals:Imap:UserName"] = _dovecot.User,
        ["Postmaster:Signals:Imap:Password"] = _dovecot.Password,
        ["Postmaster:Signals:ImapPollSeconds"] = "86400",
    };

    private async Task WaitForStartupPollAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // An empty mailbox leaves no ingest report, only the poller's log line.
            if (_app!.Logs.Any(l => l.StartsWith("IMAP ", StringComparison.Ordinal)))
            {
                return;
            }

            if (clock.Elapsed > FirstPollTimeout)
            {
                throw new TimeoutException(
                    $"The app's start-up poll of the mailbox did not finish within {FirstPollTimeout.TotalSeconds:0} s.\n" +
                    $"App log:\n{string.Join('\n', _app.Logs)}\nDovecot log:\n{_dovecot!.ReadLog()}");
            }

            await Task.Delay(50, Ct);
        }
    }

    private async Task<IngestCounter> PollAsync()
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        var counter = await scope.ServiceProvider.GetRequiredService<ImapPoller>().PollAsync(Ct);
        Assert.NotNull(counter);
        return counter;
    }

    private static int RecipientsIn(string path)
    {
        using var stream = File.OpenRead(path);
        return BounceParser.Parse(stream, Ct).Recipients.Count;
    }
}

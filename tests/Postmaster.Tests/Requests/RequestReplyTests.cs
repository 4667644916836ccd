using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Requests;

namespace Postmaster.Tests.Requests;

/// <summary>
/// Replies read from the request mailbox: a real Dovecot on loopback holds a provider's answer to
/// a request sent through aiosmtpd; one poll matches it by In-Reply-To to the stored Message-ID.
/// </summary>
public sealed class RequestReplyTests : IAsyncLifetime
{
    private static readonly TimeSpan FirstPollTimeout = TimeSpan.FromSeconds(30);

    private readonly TemplateFolder _templates = RequestTestTemplates.Create();
    private readonly string _data = Directory.CreateTempSubdirectory("postmaster-replies-").FullName;
    private DovecotServer? _dovecot;
    private AiosmtpdServer? _smtp;
    private PostmasterApp? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? UnavailableReason => DovecotServer.UnavailableReason ?? AiosmtpdServer.UnavailableReason;

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null && !Requirement.InCi)
        {
            return;
        }

        Requirement.Require(UnavailableReason);
        _dovecot = await DovecotServer.StartAsync(Ct);
        _smtp = await AiosmtpdServer.StartAsync(Ct);
        _app = PostmasterApp.Sqlite(_data, settings: new Dictionary<string, string?>
        {
            ["Postmaster:TemplatesDirectory"] = _templates.Root,
            ["Postmaster:Smtp:Host"] = _smtp.Host,
            ["Postmaster:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Postmaster:Smtp:Security"] = "none",
            ["Postmaster:Smtp:From"] = "alerts@sender.example",
            ["Postmaster:Requests:From"] = "postmaster@sender.example",
            ["Postmaster:Requests:ReplyTo"] = "requests@sender.example",
            ["Postmaster:Requests:Imap:Host"] = _dovecot.Host,
            ["Postmaster:Requests:Imap:Port"] = _dovecot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Postmaster:Requests:Imap:Security"] = "none",
            ["Postmaster:Requests:Imap:UserName"] = _dovecot.User,
            ["Postmaster:Requests:Imap:Password"] = _dovecot.Password,
            ["Postmaster:Requests:ImapPollSeconds"] = "86400",
        });
        _ = _app.Services;

        // The app polls once at start-up; deliveries come after it, so the test's own poll reads them.
        var clock = Stopwatch.StartNew();
        while (!_app.Logs.Any(l => l.StartsWith("Reply mailbox ", StringComparison.Ordinal)))
        {
            if (clock.Elapsed > FirstPollTimeout)
            {
                throw new TimeoutException($"No start-up poll of the reply mailbox.\nApp log:\n{string.Join('\n', _app.Logs)}\nDovecot log:\n{_dovecot.ReadLog()}");
            }

            await Task.Delay(50, Ct);
        }
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

        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        _templates.Dispose();
    }

    [Fact]
    public async Task A_reply_in_the_requests_thread_is_recorded_and_other_mail_is_left_unread()
    {
        Requirement.Require(UnavailableReason);
        var incident = await RequestSeed.MicrosoftAsync(_app!);
        using var api = _app!.Api();
        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftEmail }, Ct);
        var id = (await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        using var sent = await api.PostAsync($"/api/requests/{id}/send", null, Ct);
        var messageId = (await sent.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("messageId").GetString();

        _dovecot!.Deliver(Mail("delist@messaging.microsoft.com", $"<{messageId}>", $"<{messageId}>",
            "Hello,\r\n\r\nWe have implemented mitigation for your IP. Case SRX0042.\r\n\r\n> please delist"));
        _dovecot.Deliver(Mail("newsletter@example.net", null, "<not-ours@example.net>", "Unrelated mail."));

        ReplyPoll? poll;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            poll = await scope.ServiceProvider.GetRequiredService<RequestReplyPoller>().PollAsync(Ct);
        }

        Assert.Equal(new ReplyPoll(2, 1, 1), poll);
        var request = await api.GetFromJsonAsync<JsonElement>($"/api/requests/{id}", Ct);
        Assert.Equal("replied", request.GetProperty("status").GetString());
        Assert.StartsWith("Hello,\n\nWe have implemented mitigation for your IP. Case SRX0042.", request.GetProperty("replyText").GetString(), StringComparison.Ordinal);
        Assert.Equal("delist@messaging.microsoft.com", request.GetProperty("replyFrom").GetString());
        Assert.Contains(request.GetProperty("history").EnumerateArray(), h => h.GetProperty("actor").GetString() == "system"
            && h.GetProperty("detail").GetString()!.StartsWith("delist@messaging.microsoft.com replied (read from the mailbox INBOX)", StringComparison.Ordinal));

        // Read once: the reply is \Seen, the other message unread for a person, and neither is read again.
        var flags = Directory.GetFiles(Path.Combine(_dovecot.Maildir, "cur")).Select(f => Path.GetFileName(f)[(Path.GetFileName(f).IndexOf(":2,", StringComparison.Ordinal) + 3)..]).ToList();
        Assert.Equal(1, flags.Count(f => f.Contains('S', StringComparison.Ordinal)));
        Assert.Equal(2, flags.Count);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.Equal(new ReplyPoll(0, 0, 0), await scope.ServiceProvider.GetRequiredService<RequestReplyPoller>().PollAsync(Ct));
        }
    }

    private static byte[] Mail(string from, string? inReplyTo, string messageId, string body)
    {
        var headers = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"From: {from}\r\nTo: requests@sender.example\r\nSubject: Re: your request\r\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Message-ID: {messageId}\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n");
        if (inReplyTo is not null)
        {
            headers.Append(System.Globalization.CultureInfo.InvariantCulture, $"In-Reply-To: {inReplyTo}\r\nReferences: {inReplyTo}\r\n");
        }

        return Encoding.UTF8.GetBytes(headers + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n");
    }
}

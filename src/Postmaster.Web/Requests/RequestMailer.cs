using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Requests;

/// <summary>
/// Sends an email-channel request through the configured SMTP relay (<c>Postmaster:Smtp:*</c>),
/// from <c>Postmaster:Requests:From</c> with <c>:ReplyTo</c>, never through the blocked IPs the
/// request is about. The Message-ID is stored before the first attempt, so a retry after a failure
/// sends the same one and replies find their request.
/// </summary>
public sealed class RequestMailer(
    PostmasterDbContext db,
    RequestTracking tracking,
    RequestModels models,
    IOptions<SmtpOptions> smtp,
    TimeProvider time,
    ILogger<RequestMailer> log)
{
    public async Task<RequestResult> SendAsync(long id, CancellationToken ct)
    {
        var request = await db.Requests.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null)
        {
            return RequestResult.NotFound(id);
        }

        var sender = models.Sender();
        var refused = request switch
        {
            { Channel: not RequestChannel.Email } => $"Request {id} goes by {request.Channel.ToApi()}: fill in {(request.FormUrl is null ? "the form" : request.FormUrl)} with its fields, then mark it submitted (PATCH {{\"status\": \"submitted\"}}).",
            { Status: not RequestStatus.Draft } => $"Request {id} is already {request.Status.ToApi()}{(request.MessageId is null ? "" : $" (Message-ID <{request.MessageId}>)")}; to write again, draft a follow-up.",
            _ when !MailboxAddress.TryParse(request.To ?? "", out _) => $"Request {id} has no address to send to{(string.IsNullOrWhiteSpace(request.To) ? "" : $" ('{request.To}' is not one)")}: set To on the request page, then send.",
            _ when !smtp.Value.Configured => "No SMTP relay is configured: set Postmaster:Smtp:Host (and :Port, :Security, :UserName, :Password), or send the text yourself and mark the request submitted.",
            _ when !MailboxAddress.TryParse(sender.From, out _) => "No sender address: set Postmaster:Requests:From (or Postmaster:Smtp:From) to the address requests go out from.",
            _ => null,
        };
        if (refused is not null)
        {
            return new RequestResult(RequestOutcomeKind.Conflict, request, refused);
        }

        if (request.MessageId is null)
        {
            var domain = MailboxAddress.Parse(sender.From).Domain;
            request.MessageId = MimeUtils.GenerateMessageId(string.IsNullOrEmpty(domain) ? "postmaster.invalid" : domain);
            await db.SaveChangesAsync(ct);
        }

        var message = Message(request, sender, time.GetUtcNow());
        try
        {
            using var client = await smtp.Value.ConnectAsync(ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or AuthenticationException
            or SslHandshakeException or SocketException or IOException or TimeoutException)
        {
            log.LogWarning(e, "Request {RequestId} was not sent through {Host}:{Port}", id, smtp.Value.Host, smtp.Value.Port);
            return new RequestResult(RequestOutcomeKind.Failed, request,
                $"The SMTP relay {smtp.Value.Host}:{smtp.Value.Port} did not take the message: {e.Message} Nothing was sent; the request is still a draft, and sending again uses the same Message-ID.");
        }

        log.LogInformation("Request {RequestId} sent to {To} through {Host} as <{MessageId}>", id, request.To, smtp.Value.Host, request.MessageId);
        return await tracking.ChangeAsync(id, new RequestChange(Status: RequestStatus.Submitted.ToApi()), ct,
            how: $"sent by email to {request.To} through {smtp.Value.Host}, Message-ID <{request.MessageId}>");
    }

    private static MimeMessage Message(ProviderRequest request, SenderFacts sender, DateTimeOffset now)
    {
        var message = new MimeMessage { Subject = request.Subject ?? "", MessageId = request.MessageId!, Date = now };
        message.From.Add(MailboxAddress.Parse(sender.From));
        if (!string.IsNullOrWhiteSpace(sender.ReplyTo) && !sender.ReplyTo.Equals(sender.From, StringComparison.OrdinalIgnoreCase))
        {
            message.ReplyTo.Add(MailboxAddress.Parse(sender.ReplyTo));
        }

        message.To.Add(MailboxAddress.Parse(request.To!));
        if (request.InReplyTo is { } parent)
        {
            // A follow-up answers in the first request's thread, so the provider's desk sees one case.
            message.InReplyTo = parent;
            message.References.Add(parent);
        }

        message.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = request.Body };
        return message;
    }
}

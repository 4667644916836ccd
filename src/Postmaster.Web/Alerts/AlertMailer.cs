using System.Net;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Postmaster.Core.Alerts;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Alerts;

/// <summary>Alert mail through MailKit to <c>Postmaster:Smtp</c>.</summary>
public sealed class AlertMailer(IOptions<SmtpOptions> options)
{
    public Task<SmtpClient> ConnectAsync(CancellationToken ct) => options.Value.ConnectAsync(ct);

    /// <summary>
    /// The message for one delivery. Its Message-ID is the delivery's key, the same on every retry,
    /// so a mailbox that got it once can drop the repeat.
    /// </summary>
    public MimeMessage Build(AlertDelivery delivery)
    {
        var from = MailboxAddress.Parse(options.Value.From!);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Subject = delivery.Subject ?? "[Postmaster] alert";
        message.Date = delivery.CreatedAt;
        message.MessageId = $"{delivery.Key}@{Domain(from.Address)}";

        // RFC 3834 §5: auto-responders must not answer it (no vacation replies back into the alert loop).
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Key);
        message.Body = new BodyBuilder { TextBody = delivery.Body ?? "", HtmlBody = delivery.HtmlBody }.ToMessageBody();
        return message;
    }

    /// <summary>A refusal that retrying will not change: the server rejected the recipient or sender for good (5xx).</summary>
    public static bool IsPermanent(Exception e) =>
        e is SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted } command
        && (int)command.StatusCode >= 500;

    public static string Describe(Exception e) => e switch
    {
        SmtpCommandException c => $"The SMTP server answered {(int)c.StatusCode}: {c.Message}",
        SmtpProtocolException p => $"SMTP protocol error: {p.Message}",
        AuthenticationException a => $"SMTP sign-in refused (Postmaster:Smtp:UserName, :Password): {a.Message}",
        SslHandshakeException s => $"TLS with the SMTP server failed (Postmaster:Smtp:Security): {s.Message}",
        ServiceNotConnectedException or System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException =>
            $"Could not reach the SMTP server: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Domain(string address)
    {
        var at = address.LastIndexOf('@');
        var domain = at >= 0 ? address[(at + 1)..] : "";
        return domain.Length > 0 && Uri.CheckHostName(domain) is UriHostNameType.Dns ? domain : Dns.GetHostName();
    }
}

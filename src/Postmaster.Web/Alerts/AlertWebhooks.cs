using System.Net;
using System.Net.Sockets;
using System.Text;
using Postmaster.Core.Alerts;

namespace Postmaster.Web.Alerts;

/// <summary>A webhook target resolved only to addresses it may not be sent to.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>The outcome of one webhook call.</summary>
public sealed record WebhookOutcome(bool Delivered, bool Permanent, string? Error);

/// <summary>
/// Posts alerts to webhooks through <see cref="IHttpClientFactory"/>, signed, with the delivery's
/// id (the same on every retry). The connection is made by <see cref="Connect"/>: the host is
/// resolved at send time and the socket connects only to an address that passed the check, so a
/// name that resolves to a public address when checked and a private one when connecting (DNS
/// rebinding) cannot get past it. No proxy, no redirects: either would connect somewhere unchecked.
/// </summary>
public sealed class AlertWebhooks(IHttpClientFactory clients)
{
    public const string ClientName = "alert-webhooks";

    public static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => Connect(context.DnsEndPoint, allowPrivate, ct),
    };

    internal static async ValueTask<Stream> Connect(DnsEndPoint endPoint, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, ct);
        var vetted = allowPrivate ? addresses : addresses.Where(a => !AddressScope.IsInternal(a)).ToArray();
        if (vetted.Length == 0)
        {
            throw new WebhookTargetRefusedException(addresses.Length == 0
                ? $"{endPoint.Host} does not resolve."
                : $"{endPoint.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}: loopback, private or link-local, "
                  + "so it is refused. Set Postmaster:Alerts:AllowPrivateWebhookTargets=true if that target is meant.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(vetted, endPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<WebhookOutcome> PostAsync(WebhookTarget hook, AlertDelivery delivery, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body ?? "{}");
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryHeader, delivery.Key);
        if (!string.IsNullOrEmpty(hook.Secret))
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(hook.Secret, body));
        }

        request.Headers.UserAgent.ParseAdd("Postmaster-Alerts/1.0");
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new WebhookOutcome(true, false, null);
            }

            var said = $"HTTP {status} {response.ReasonPhrase}";
            return status is 408 or 429 or >= 500
                ? new WebhookOutcome(false, false, $"The webhook answered {said}; trying again.")
                : new WebhookOutcome(false, true, status is >= 300 and < 400
                    ? $"The webhook answered {said} (a redirect): redirects are not followed; configure the final address."
                    : $"The webhook answered {said}: it refuses the call, so it is not retried.");
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            return new WebhookOutcome(false, true, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new WebhookOutcome(false, false, $"Could not reach the webhook: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new WebhookOutcome(false, false, "The webhook did not answer in time.");
        }
    }

    private static WebhookTargetRefusedException? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is WebhookTargetRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals;

/// <summary>One signal as the JSON ingest takes it; every field but status is optional.</summary>
public static class SignalInput
{
    /// <summary>Reads one JSON object into an outcome, or says why it cannot.</summary>
    public static (DeliveryOutcome? Outcome, string? Error) Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return (null, "Each signal must be a JSON object.");
        }

        var statusText = Text(e, "status");
        if (SignalNames.ParseStatus(statusText) is not { } status)
        {
            return (null, $"status must be delivered, deferred or bounced (got '{Bound(statusText, 40)}').");
        }

        DateTimeOffset? at = null;
        if (Text(e, "time") is { } timeText)
        {
            if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return (null, $"time '{Bound(timeText, 40)}' is not an ISO 8601 date and time.");
            }

            at = parsed.ToUniversalTime();
        }

        var source = Text(e, "sourceIp");
        if (source is not null && !IPAddress.TryParse(source, out _))
        {
            return (null, $"sourceIp '{Bound(source, 60)}' is not an IP address.");
        }

        int? code = null;
        if (e.TryGetProperty("smtpCode", out var c) || e.TryGetProperty("code", out c))
        {
            if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) && n is >= 200 and < 600)
            {
                code = n;
            }
            else if (c.ValueKind != JsonValueKind.Null)
            {
                return (null, "smtpCode must be a number from 200 to 599.");
            }
        }

        var recipient = Bound(Text(e, "recipient"), 320);
        var domain = Bound(Text(e, "recipientDomain"), 255) ?? (recipient?.LastIndexOf('@') is int at2 and >= 0 ? recipient[(at2 + 1)..] : null);
        return (new DeliveryOutcome(
            status,
            at,
            source is null ? null : IPAddress.Parse(source).ToString(),
            recipient,
            domain?.Trim().TrimEnd('.').ToLowerInvariant(),
            Bound(Text(e, "mx"), 255)?.ToLowerInvariant(),
            code,
            Bound(Text(e, "enhancedCode"), 16),
            Bound(Text(e, "response"), DeliveryOutcome.MaxResponseLength)), null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Bound(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max];
}

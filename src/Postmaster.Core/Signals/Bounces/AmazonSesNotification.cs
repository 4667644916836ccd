using System.Text.Json;

namespace Postmaster.Core.Signals.Bounces;

/// <summary>
/// Amazon SES sends bounce, complaint and delivery notifications as JSON, by mail through SNS: either the
/// notification itself or an SNS envelope whose "Message" is the notification as a string
/// (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html). Only bounces are bounces.
/// </summary>
internal static class AmazonSesNotification
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static BounceReport? TryRead(string text)
    {
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0 || start > 200 || !text.Contains("notificationType", StringComparison.Ordinal))
        {
            return null;
        }

        var end = text.LastIndexOf('}');
        if (end <= start)
        {
            return null;
        }

        // Mail relays break lines longer than 998 characters; some mark the break with "!" (seen in SES mail), and a
        // raw line break is never valid inside a JSON string: both go before parsing.
        var json = text[start..(end + 1)].Replace("!\r\n ", "", StringComparison.Ordinal).Replace("!\n ", "", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        try
        {
            using var outer = JsonDocument.Parse(json, Options);
            if (outer.RootElement.ValueKind == JsonValueKind.Object
                && outer.RootElement.TryGetProperty("Message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(message.GetString() ?? "", Options);
                return Read(inner.RootElement);
            }

            return Read(outer.RootElement);
        }
        catch (JsonException)
        {
            return null; // truncated or not JSON after all: the text heuristics get their turn
        }
    }

    private static BounceReport? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("notificationType", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        switch (type.GetString())
        {
            case "Complaint":
                return BounceReport.NotABounce("an Amazon SES complaint notification: a recipient's complaint, not a delivery failure");
            case "Delivery":
                return BounceReport.NotABounce("an Amazon SES delivery notification: the message was delivered");
            case "Bounce":
                break;
            default:
                return null;
        }

        if (!root.TryGetProperty("bounce", out var bounce) || bounce.ValueKind != JsonValueKind.Object
            || !bounce.TryGetProperty("bouncedRecipients", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var transient = String(bounce, "bounceType") == "Transient";
        var remote = String(bounce, "remoteMtaIp");
        var recipients = new List<BouncedRecipient>();
        foreach (var item in list.EnumerateArray().Take(BounceParser.MaxRecipients))
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var address = BounceParser.CleanAddress(String(item, "emailAddress"));
            var diagnostic = BounceParser.Clean(BounceParser.StripType(String(item, "diagnosticCode") ?? ""), DeliveryOutcome.MaxResponseLength);
            var reply = BounceText.ReplyCodes(diagnostic);
            var status = String(item, "action") switch
            {
                "failed" => DeliveryStatus.Bounced,
                "delayed" => DeliveryStatus.Deferred,
                _ => transient ? DeliveryStatus.Deferred : DeliveryStatus.Bounced,
            };
            recipients.Add(new BouncedRecipient(
                address,
                status,
                reply.Code,
                BounceParser.EnhancedCode(String(item, "status")) ?? reply.Enhanced,
                diagnostic.Length == 0 ? null : diagnostic,
                remote is null ? null : BounceParser.Clean(remote, BounceParser.MaxHostLength)));
        }

        return recipients.Count > 0 ? new BounceReport(true, recipients, null) : null;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

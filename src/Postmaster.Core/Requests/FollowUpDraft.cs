using System.Globalization;
using System.Text;

namespace Postmaster.Core.Requests;

/// <summary>
/// A follow-up of a request that got no answer (or not the right one), in its thread: the block is
/// still there as of now, the rejections since the request (or the newest ones), what changed on
/// the sender's side. Written here rather than by a template so every provider gets one; the text
/// is built from values only.
/// </summary>
public static class FollowUpDraft
{
    public static (string Subject, string Body) Compose(string? subject, DateTimeOffset? submittedAt, string? reference, RequestModel model)
    {
        var i = model.Incident;
        var title = string.IsNullOrWhiteSpace(subject)
            ? $"Follow-up: {i.ProviderName} block of {i.AssetGroup}"
            : subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? subject : $"Re: {subject}";

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"Hello {i.ProviderName} postmaster team,\n\n");
        body.Append("this follows up our request");
        if (submittedAt is { } at)
        {
            body.Append(CultureInfo.InvariantCulture, $" of {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        }

        if (!string.IsNullOrWhiteSpace(reference))
        {
            body.Append(CultureInfo.InvariantCulture, $" (your reference {reference.Trim()})");
        }

        body.Append(CultureInfo.InvariantCulture, $".\nThe block of {i.AssetGroup} is still occurring as of {model.Now.UtcDateTime:yyyy-MM-dd HH:mm} UTC.\n\n");

        var affected = i.Ips.Concat(i.Domains).ToList();
        if (affected.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"Affected: {string.Join(", ", affected)}{(i.ValuesTruncated ? $" (and {i.AffectedCount - i.Values.Count} more)" : "")}\n\n");
        }

        var fresh = submittedAt is { } since ? i.Samples.Where(s => s.At > since).ToList() : [];
        var samples = fresh.Count > 0 ? fresh : i.Samples.ToList();
        if (samples.Count > 0)
        {
            body.Append(fresh.Count > 0 ? "Rejections since our request (UTC):\n" : "The newest rejections we have (UTC):\n");
            foreach (var s in samples)
            {
                body.Append(CultureInfo.InvariantCulture, $"  {s.At.UtcDateTime:yyyy-MM-dd HH:mm}");
                if (!string.IsNullOrWhiteSpace(s.Mx))
                {
                    body.Append(CultureInfo.InvariantCulture, $", MX {s.Mx}");
                }

                if (!string.IsNullOrWhiteSpace(s.SourceIp))
                {
                    body.Append(CultureInfo.InvariantCulture, $", our IP {s.SourceIp}");
                }

                body.Append(CultureInfo.InvariantCulture, $":\n  {s.Text}\n");
            }

            body.Append('\n');
        }

        body.Append("What changed since:\n");
        body.Append(model.Fixed.Length > 0 ? model.Fixed : "Nothing more on our side; the facts of our first message stand.");
        body.Append("\n\nPlease tell us what is still missing for you to lift the block.\n\nRegards,\n");
        foreach (var line in new[] { model.Org.ContactName, model.Org.Company, model.Org.ContactEmail }.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            body.Append(line).Append('\n');
        }

        return (title, body.ToString());
    }
}

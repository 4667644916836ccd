namespace Postmaster.Core.Posture;

/// <summary>A DMARC record (RFC 7489 §6.3): its policy for the domain and its subdomains, the share it applies to, and where reports go.</summary>
public sealed record DmarcRecord(string Policy, string? SubdomainPolicy, int Percent, string? AggregateReports)
{
    /// <summary>Whether a TXT record at _dmarc is a DMARC record: v=DMARC1 as its first tag (RFC 7489 §6.3).</summary>
    public static bool IsDmarc(string text) =>
        text.TrimStart().StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase)
        && text.TrimStart()[8..].TrimStart() is var rest && (rest.Length == 0 || rest[0] == ';');

    public static (DmarcRecord? Record, string? Error) Parse(string text)
    {
        if (!IsDmarc(text))
        {
            return (null, "it does not start with v=DMARC1");
        }

        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return (null, $"'{PostureText.Bound(part, 40)}' is not a tag=value pair");
            }

            tags.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim());
        }

        var rua = tags.GetValueOrDefault("rua");
        if (!tags.TryGetValue("p", out var policy))
        {
            // RFC 7489 §6.6.3: without p=, a record with a valid rua is treated as p=none; otherwise it is no record.
            return rua is { Length: > 0 } ? (new DmarcRecord("none", null, 100, rua), null) : (null, "it has no p= policy");
        }

        policy = policy.ToLowerInvariant();
        if (policy is not ("none" or "quarantine" or "reject"))
        {
            return (null, $"p={PostureText.Bound(policy, 20)} is not none, quarantine or reject");
        }

        var sp = tags.GetValueOrDefault("sp")?.ToLowerInvariant();
        if (sp is not (null or "none" or "quarantine" or "reject"))
        {
            sp = null; // an invalid sp= is ignored: p= applies to subdomains too
        }

        var percent = tags.TryGetValue("pct", out var pct) && int.TryParse(pct, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? Math.Clamp(value, 0, 100)
            : 100;
        return (new DmarcRecord(policy, sp, percent, rua), null);
    }
}

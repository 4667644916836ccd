namespace Postmaster.Core.Requests;

/// <summary>
/// The model as Liquid reads it: plain dictionaries and lists with the camelCase names of the
/// contract, so a template can reach exactly those names and nothing of the CLR objects behind them.
/// </summary>
public static class RequestModelValues
{
    /// <param name="model">The facts.</param>
    /// <param name="providers">Every provider slug: <c>org.volumeTo</c> answers each (0 when not given), so a template may ask about any provider.</param>
    public static Dictionary<string, object?> From(RequestModel model, IEnumerable<string> providers) => new(StringComparer.Ordinal)
    {
        ["incident"] = Incident(model.Incident),
        ["org"] = Org(model.Org, providers),
        ["posture"] = Posture(model.Posture),
        ["sender"] = new Dictionary<string, object?> { ["from"] = model.Sender.From, ["replyTo"] = model.Sender.ReplyTo },
        ["now"] = model.Now.ToUniversalTime(),
        ["fixed"] = model.Fixed,
        ["remediation"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["channel"] = model.Remediation.Channel,
            ["url"] = model.Remediation.Url,
            ["email"] = model.Remediation.Email,
            ["notes"] = model.Remediation.Notes,
        },
    };

    private static Dictionary<string, object?> Incident(RequestIncident i) => new(StringComparer.Ordinal)
    {
        ["id"] = i.Id,
        ["url"] = i.Url,
        ["provider"] = i.Provider,
        ["providerName"] = i.ProviderName,
        ["assetGroup"] = i.AssetGroup,
        ["inInventory"] = i.InInventory,
        ["state"] = i.State,
        ["severity"] = i.Severity,
        ["openedAt"] = i.OpenedAt.ToUniversalTime(),
        ["lastActivityAt"] = i.LastActivityAt.ToUniversalTime(),
        ["affectedCount"] = i.AffectedCount,
        ["citedBy"] = List(i.CitedBy),
        ["values"] = i.Values.Take(RequestIncident.MaxValues).Select(Value).Cast<object?>().ToList(),
        ["valuesTruncated"] = i.ValuesTruncated,
        ["ips"] = List(i.Ips),
        ["domains"] = List(i.Domains),
        ["zones"] = List(i.Zones),
        ["codes"] = List(i.Codes),
        ["samples"] = i.Samples.Take(RequestIncident.MaxSamples).Select(Sample).Cast<object?>().ToList(),
        ["replyAddress"] = i.ReplyAddress,
        ["reference"] = i.Reference,
    };

    private static Dictionary<string, object?> Value(RequestValue v) => new(StringComparer.Ordinal)
    {
        ["value"] = v.Value,
        ["kind"] = v.Kind,
        ["zone"] = v.Zone,
        ["receiver"] = v.Receiver,
        ["codes"] = List(v.Codes),
        ["categories"] = List(v.Categories),
        ["reason"] = v.Reason,
        ["firstSeen"] = v.FirstSeen.ToUniversalTime(),
        ["lastSeen"] = v.LastSeen.ToUniversalTime(),
    };

    private static Dictionary<string, object?> Sample(RequestSample s) => new(StringComparer.Ordinal)
    {
        ["at"] = s.At.ToUniversalTime(),
        ["sourceIp"] = s.SourceIp,
        ["recipientDomain"] = s.RecipientDomain,
        ["mx"] = s.Mx,
        ["text"] = s.Text,
    };

    private static Dictionary<string, object?> Org(OrganisationFacts o, IEnumerable<string> providers)
    {
        var volumeTo = providers.Distinct(StringComparer.Ordinal).ToDictionary(p => p, object? (_) => 0L, StringComparer.Ordinal);
        foreach (var (provider, volume) in o.VolumeTo)
        {
            volumeTo[provider] = volume;
        }

        return new(StringComparer.Ordinal)
        {
            ["company"] = o.Company,
            ["website"] = o.Website,
            ["imprintUrl"] = o.ImprintUrl,
            ["contactName"] = o.ContactName,
            ["contactEmail"] = o.ContactEmail,
            ["contactPhone"] = o.ContactPhone,
            ["postmasterAddress"] = o.PostmasterAddress,
            ["abuseAddress"] = o.AbuseAddress,
            ["optIn"] = o.OptIn,
            ["bounceHandling"] = o.BounceHandling,
            ["complaintHandling"] = o.ComplaintHandling,
            ["listHygiene"] = o.ListHygiene,
            ["streams"] = o.Streams.Select(s => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["kind"] = s.Kind,
                ["description"] = s.Description,
                ["dailyVolume"] = s.DailyVolume,
                ["perProvider"] = s.PerProvider.ToDictionary(p => p.Key, object? (p) => p.Value, StringComparer.Ordinal),
            }).ToList(),
            ["dailyVolume"] = o.DailyVolume,
            ["volumeTo"] = volumeTo,
            ["feedbackLoops"] = List(o.FeedbackLoops),
        };
    }

    private static Dictionary<string, object?> Posture(PostureFacts p)
    {
        var posture = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["checks"] = p.Checks.Select(c => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["value"] = c.Value,
                ["name"] = c.Name,
                ["status"] = c.Status,
                ["detail"] = c.Detail,
            }).ToList(),
            ["allPass"] = p.AllPass,
        };
        foreach (var name in PostureFacts.Names)
        {
            var summary = p.Of(name);
            posture[name == "mta-sts" ? "mtaSts" : name] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["status"] = summary.Status,
                ["detail"] = summary.Detail,
            };
        }

        return posture;
    }

    private static List<object?> List(IEnumerable<string> items) => items.Cast<object?>().ToList();
}

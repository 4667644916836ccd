using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Providers;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>One list as the engine needs it: its operator (the incident's provider), zone and weight.</summary>
public sealed record ListOperator(long Id, string Provider, string Zone, bool Domains, ProviderWeight Weight, BlocklistDefinition Definition)
{
    /// <summary>What a listing with these codes weighs (PBL inside ZEN less than SBL).</summary>
    public ProviderWeight WeightOf(string codes)
    {
        var severities = codes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => System.Net.IPAddress.TryParse(c, out var ip) && Definition.Codes.TryGetValue(ip, out var code) ? code.Severity : null)
            .OfType<string>();
        return ProviderWeights.OfListing(Weight, severities);
    }
}

/// <summary>
/// Provider names and weights, as the catalog and provider packs give them: a list's operator
/// slug (<c>spamhaus</c> for ZEN and DBL), a receiver's or gateway's pack.
/// </summary>
public sealed class IncidentProviders(PostmasterDbContext db, ProviderRegistry providers)
{
    private Dictionary<long, ListOperator>? _lists;

    public async Task<IReadOnlyDictionary<long, ListOperator>> ListsAsync(CancellationToken ct)
    {
        if (_lists is null)
        {
            _lists = [];
            foreach (var row in await db.Blocklists.AsNoTracking().ToListAsync(ct))
            {
                var definition = row.Definition();
                var provider = definition.Provider.Length > 0 ? definition.Provider : definition.Slug;
                _lists[row.Id] = new ListOperator(row.Id, provider, definition.Zone, definition.Lists == ListedThing.Domain, definition.Weight, definition);
            }
        }

        return _lists;
    }

    /// <summary>A receiver's or gateway's weight; for a list operator (cited in a rejection) its heaviest list's.</summary>
    public async Task<ProviderWeight> WeightAsync(string provider, CancellationToken ct)
    {
        var lists = (await ListsAsync(ct)).Values.Where(l => l.Provider == provider).ToList();
        if (lists.Count > 0)
        {
            return lists.Max(l => l.Weight);
        }

        return providers.Find(provider)?.Weight ?? ProviderWeight.Moderate;
    }
}

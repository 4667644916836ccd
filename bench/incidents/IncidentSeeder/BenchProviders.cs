using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Bench.Incidents;

/// <summary>One list of an operator, as the catalog seeding stored it: id, zone and its documented listing codes.</summary>
internal sealed record BenchList(long Id, string Zone, IReadOnlyList<(string Code, string Category)> Codes);

/// <summary>A rejection a receiver really sends (a pack's examples.json): what it means and, for a citation, which operator it names.</summary>
internal sealed record BenchRejection(string Kind, string Response, string? Mx, string? Blocklist);

/// <summary>
/// A provider incidents are opened against, with how often it appears in the mix: a list operator
/// (its enabled catalog lists) or a receiver or gateway (its pack and the rejections it sends).
/// </summary>
internal sealed record BenchProvider(
    string Slug,
    ProviderWeight Weight,
    double Share,
    IReadOnlyList<BenchList> IpLists,
    IReadOnlyList<BenchList> DomainLists,
    IReadOnlyList<BenchRejection> Rejections,
    string Mx)
{
    public bool IsOperator => IpLists.Count + DomainLists.Count > 0;
}

internal static class BenchProviders
{
    /// <summary>Relative shares: the big receivers and the lists senders meet most often dominate, the rest share the tail.</summary>
    private static readonly Dictionary<string, double> Shares = new(StringComparer.Ordinal)
    {
        ["spamhaus"] = 13,
        ["microsoft"] = 13,
        ["google"] = 8,
        ["uceprotect"] = 7,
        ["barracuda"] = 6,
        ["spamcop"] = 6,
        ["yahoo"] = 5,
        ["proofpoint"] = 4,
        ["mimecast"] = 3,
        ["t-online"] = 3,
        ["gmx-webde"] = 3,
        ["apple"] = 2,
        ["cisco"] = 2,
        ["psbl"] = 2,
        ["comcast"] = 2,
    };

    private static readonly HashSet<string> BlockKinds = ["ip-reputation", "blocklist", "rate-limit", "policy", "auth", "content"];

    public static async Task<List<BenchProvider>> LoadAsync(PostmasterDbContext db, string providersDirectory, CancellationToken ct)
    {
        var providers = new List<BenchProvider>();
        var lists = (await db.Blocklists.AsNoTracking().Where(b => b.Enabled).OrderBy(b => b.Id).ToListAsync(ct))
            .Select(b => (Row: b, Definition: b.Definition()))
            .GroupBy(b => b.Definition.Provider.Length > 0 ? b.Definition.Provider : b.Definition.Slug);
        foreach (var op in lists)
        {
            BenchList ToList((Web.Blocklists.Blocklist Row, BlocklistDefinition Definition) b) => new(
                b.Row.Id,
                b.Definition.Zone,
                b.Definition.Codes.Where(c => c.Value.Listed).Select(c => (c.Key.ToString(), c.Value.Category)).DefaultIfEmpty(("127.0.0.2", "listed")).ToList());
            providers.Add(new BenchProvider(
                op.Key,
                op.Max(b => b.Definition.Weight),
                Shares.GetValueOrDefault(op.Key, 1),
                op.Where(b => b.Definition.Lists == ListedThing.Ip).Select(ToList).ToList(),
                op.Where(b => b.Definition.Lists == ListedThing.Domain).Select(ToList).ToList(),
                [],
                ""));
        }

        var examples = ProviderPackLoader.LoadExamples(providersDirectory);
        foreach (var pack in ProviderPackLoader.LoadAll(providersDirectory).Where(p => p.Role is ProviderRole.Receiver or ProviderRole.Gateway))
        {
            var rejections = examples
                .Where(e => e.Pack == pack.Slug && BlockKinds.Contains(e.ExpectKind.ToApi()))
                .Select(e => new BenchRejection(e.ExpectKind.ToApi(), e.Response, e.Mx, e.ExpectBlocklist))
                .ToList();
            if (rejections.Count == 0)
            {
                rejections.Add(new BenchRejection("ip-reputation", "550 5.7.1 Service unavailable; client host blocked", null, null));
            }

            var mx = rejections.Select(r => r.Mx).FirstOrDefault(m => m is not null)
                ?? (pack.RecipientDomains.Count > 0 ? $"mx1.{pack.RecipientDomains[0]}" : $"mx.{pack.Slug}.example");
            providers.Add(new BenchProvider(pack.Slug, pack.Weight, Shares.GetValueOrDefault(pack.Slug, 1), [], [], rejections, mx));
        }

        if (!providers.Any(p => p.IsOperator) || !providers.Any(p => !p.IsOperator))
        {
            throw new InvalidOperationException("The catalog or the provider packs gave no list operators or no receivers: check the templates folder.");
        }

        // A slug that is both a list operator and a gateway (barracuda) is one provider to incidents: one share between the two.
        var bySlug = providers.CountBy(p => p.Slug).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return [.. providers.Select(p => p with { Share = p.Share / bySlug[p.Slug] })];
    }
}

using Postmaster.Core.Incidents;
using Postmaster.Core.Signals;

namespace Postmaster.Core.Providers;

/// <summary>
/// The provider packs (templates/providers/&lt;slug&gt;/provider.json) by slug: who a provider is, how
/// it weighs, how it is remedied. Signals classify with them, incidents weigh and explain with them,
/// requests draft with them; each reads this one registry.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, ProviderPack> _bySlug;

    public ProviderRegistry(IReadOnlyList<ProviderPack> packs)
    {
        Packs = packs;
        _bySlug = packs.ToDictionary(p => p.Slug, StringComparer.Ordinal);
    }

    public IReadOnlyList<ProviderPack> Packs { get; }

    /// <summary>Every pack of a real provider (receivers, gateways, list operators), without the generic pack.</summary>
    public IEnumerable<ProviderPack> Providers => Packs.Where(p => p.Role != ProviderRole.Generic);

    /// <summary>
    /// The receivers whose blocks cost a sender most (weight major or severe): the providers a
    /// sender's volumes are asked about ("how much do you send to Microsoft?").
    /// </summary>
    public IEnumerable<ProviderPack> BigReceivers => Packs.Where(p => p.Role == ProviderRole.Receiver && p.Weight >= ProviderWeight.Major);

    public ProviderPack? Find(string? slug) => slug is not null && _bySlug.TryGetValue(slug, out var pack) ? pack : null;

    /// <summary>The provider's display name, or the slug itself for a provider without a pack (a catalog-only operator).</summary>
    public string NameOf(string slug) => Find(slug)?.Name ?? slug;

    /// <summary>Reads and validates every pack under <paramref name="providersDirectory"/>; a broken one throws <see cref="ProviderPackException"/> naming the file.</summary>
    public static ProviderRegistry Load(string providersDirectory) => new(ProviderPackLoader.LoadAll(providersDirectory));
}

using Postmaster.Core.Providers;

namespace Postmaster.Core.Requests;

/// <summary>How one template fits one incident: its score, and whether every constraint it sets holds.</summary>
public sealed record TemplateFit(RequestTemplate Template, bool Fits, int Score);

/// <summary>
/// Every request template of every provider pack, checked at load: each parses, and each renders
/// the built-in sample incident of its provider with strict names (and the sparse one without),
/// so a broken template stops start-up rather than a person drafting a request.
/// </summary>
public sealed class RequestTemplateCatalog
{
    /// <summary>The provider pack whose templates stand in for a provider without any.</summary>
    public const string Fallback = "generic";

    private readonly Dictionary<string, RequestTemplate> _byId;

    public RequestTemplateCatalog(IReadOnlyList<RequestTemplate> templates)
    {
        All = templates;
        _byId = templates.ToDictionary(t => t.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<RequestTemplate> All { get; }

    public RequestTemplate? Find(string? id) => id is not null && _byId.TryGetValue(id.Trim(), out var template) ? template : null;

    public static RequestTemplateCatalog Load(string providersDirectory, ProviderRegistry providers)
    {
        var (templates, unreadable) = RequestTemplateLoader.Read(providersDirectory);
        var problems = unreadable.Concat(Check(templates, providers)).ToList();
        return problems.Count > 0
            ? throw new RequestTemplateException(RequestTemplateLoader.Summary(problems))
            : new RequestTemplateCatalog(templates);
    }

    /// <summary>Renders each template against its provider's sample incidents; one line per template that fails.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<RequestTemplate> templates, ProviderRegistry providers)
    {
        var slugs = providers.Packs.Select(p => p.Slug).ToList();
        var problems = new List<string>();
        foreach (var template in templates)
        {
            var name = providers.NameOf(template.Provider);
            try
            {
                RequestRenderer.Render(template, SampleRequestModel.Full(template.Provider, name, slugs), slugs, strict: true);
                RequestRenderer.Render(template, SampleRequestModel.Sparse(template.Provider, name), slugs);
            }
            catch (RequestTemplateException e)
            {
                problems.Add(e.Message + " (while rendering the built-in sample incident; the names a template may use are in templates/providers/REQUESTS.md)");
            }
        }

        return problems;
    }

    /// <summary>
    /// The templates for an incident, the best first: its provider's that fit (every constraint
    /// holds), the most specific first; then its provider's others; then the fallback pack's.
    /// </summary>
    public IReadOnlyList<TemplateFit> For(RequestIncident incident)
    {
        var facts = FitFacts.Of(incident);
        return All
            .Where(t => t.Provider == incident.Provider || t.Provider == Fallback)
            .Select(t => Score(t, facts))
            .OrderBy(f => f.Template.Provider == incident.Provider ? 0 : 1)
            .ThenByDescending(f => f.Fits)
            .ThenByDescending(f => f.Score)
            .ThenBy(f => f.Template.Id, StringComparer.Ordinal)
            .ToList();
    }

    private static TemplateFit Score(RequestTemplate template, FitFacts facts)
    {
        var a = template.AppliesTo;
        var fits = true;
        var score = 0;
        void Constraint(bool set, bool holds)
        {
            if (!set)
            {
                return;
            }

            fits &= holds;
            score += holds ? 10 : -1;
        }

        Constraint(a.Zones.Count > 0, a.Zones.Any(facts.Zones.Contains));
        Constraint(a.Codes.Count > 0, a.Codes.Any(facts.Codes.Contains));
        Constraint(a.TextContains.Count > 0, a.TextContains.Any(t => facts.Texts.Any(x => x.Contains(t, StringComparison.Ordinal))));
        Constraint(a.Kinds.Count > 0, a.Kinds.Any(facts.Kinds.Contains));
        return new TemplateFit(template, fits, score);
    }

    /// <summary>What the constraints are matched against: the evidence's kinds, the listings' zones, every code, the rejections' text in lower case.</summary>
    private sealed record FitFacts(HashSet<string> Kinds, HashSet<string> Zones, HashSet<string> Codes, IReadOnlyList<string> Texts)
    {
        public static FitFacts Of(RequestIncident incident) => new(
            [.. incident.Values.SelectMany(v => v.Zone is null ? v.Categories : [.. v.Categories, "blocklist"])],
            new HashSet<string>(incident.Zones, StringComparer.OrdinalIgnoreCase),
            new HashSet<string>(incident.Codes, StringComparer.OrdinalIgnoreCase),
            [.. incident.Samples.Select(s => s.Text).Concat(incident.Values.Select(v => v.Reason).OfType<string>()).Select(t => t.ToLowerInvariant())]);
    }
}

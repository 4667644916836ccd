using Fluid;

namespace Postmaster.Core.Requests;

/// <summary>
/// One request template of a provider pack (templates/providers/&lt;slug&gt;/requests/&lt;name&gt;.json
/// and .liquid; the format is in templates/providers/REQUESTS.md). Every Liquid-bearing string is
/// parsed once at load; <see cref="Sources"/> keeps each one's text and where it came from, for
/// errors that name the file and line.
/// </summary>
public sealed record RequestTemplate(
    string Id,
    string Provider,
    string Name,
    string Title,
    RequestKind Kind,
    RequestChannel Channel,
    string Language,
    LiquidText? To,
    LiquidText? FormUrl,
    LiquidText? Subject,
    IReadOnlyList<TemplateField> Fields,
    TemplateAppliesTo AppliesTo,
    IReadOnlyList<string> Needs,
    int? FollowUpDays,
    int? ExpiresAfterHours,
    string Source,
    LiquidText Body)
{
    /// <summary>Every Liquid text of the template, with the name a render error uses for it.</summary>
    public IEnumerable<LiquidText> Sources =>
        new[] { To, FormUrl, Subject }.Concat(Fields.Select(f => f.Value)).Append(Body).OfType<LiquidText>();
}

/// <summary>A form field in the form's order: its name, the label the form shows, and the answer (Liquid).</summary>
public sealed record TemplateField(string Name, string Label, LiquidText Value);

/// <summary>
/// How well a template fits an incident: the kinds of its evidence, the zones of its listings, the
/// codes (listing return codes, rejection codes) and lowercase substrings of a rejection. Empty = no constraint.
/// </summary>
public sealed record TemplateAppliesTo(
    IReadOnlyList<string> Kinds,
    IReadOnlyList<string> Zones,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> TextContains);

/// <summary>A parsed Liquid text and where it was written: a file, the line it starts on, and what it is (<c>subject</c>, <c>fields[0].value</c>, <c>body</c>).</summary>
public sealed record LiquidText(string Text, IFluidTemplate Template, string File, int Line, string What);

using Postmaster.Core.Incidents;

namespace Postmaster.Web.Incidents;

/// <summary>
/// What an incident is about: the inventory asset (a range, an IP, a domain) with its label, or a
/// source outside the inventory (<c>inInventory</c> false, <c>assetId</c> null; also null once the
/// asset was removed).
/// </summary>
public sealed record AssetGroupResponse(string Value, string? Label, long? AssetId, bool InInventory)
{
    public static AssetGroupResponse From(Incident i) => new(i.GroupValue, i.GroupLabel, i.AssetId, i.InInventory);
}

/// <summary>An incident in a list (PRODUCT.md, <c>GET /api/incidents</c>). <c>citedBy</c>: the receivers whose rejections named this list.</summary>
public sealed record IncidentResponse(
    long Id, string Provider, AssetGroupResponse AssetGroup, IncidentState State, IncidentSeverity Severity, string? Assignee,
    DateTimeOffset OpenedAt, DateTimeOffset LastActivityAt, long AffectedCount, IReadOnlyList<string> CitedBy)
{
    public static IncidentResponse From(Incident i) => new(
        i.Id, i.Provider, AssetGroupResponse.From(i), i.State, i.Severity, i.Assignee, i.OpenedAt, i.LastActivityAt, i.AffectedCount, [.. i.CitedByList()]);
}

/// <summary>
/// One incident with the list's fields, the first affected values, its evidence and its newest
/// timeline lines; <c>affectedNext</c> and <c>timelineNext</c> are the cursors of
/// <c>/affected</c> and <c>/timeline</c> (null when everything is here).
/// </summary>
public sealed record IncidentDetailResponse(
    long Id, string Provider, AssetGroupResponse AssetGroup, IncidentState State, IncidentSeverity Severity, string? Assignee,
    DateTimeOffset OpenedAt, DateTimeOffset LastActivityAt, long AffectedCount, IReadOnlyList<string> CitedBy,
    DateTimeOffset? ClosedAt, bool SeverityPinned,
    IReadOnlyList<AffectedValueResponse> Affected, string? AffectedNext,
    IncidentEvidenceResponse Evidence,
    IReadOnlyList<TimelineEntryResponse> Timeline, string? TimelineNext)
{
    public static IncidentDetailResponse From(IncidentDetail detail, IReadOnlyList<IncidentValue> listingAnswers)
    {
        var i = detail.Incident;
        return new(
            i.Id, i.Provider, AssetGroupResponse.From(i), i.State, i.Severity, i.Assignee, i.OpenedAt, i.LastActivityAt, i.AffectedCount, [.. i.CitedByList()],
            i.ClosedAt, i.SeverityPinned,
            [.. detail.Affected.Items.Select(AffectedValueResponse.From)], detail.Affected.Next,
            new IncidentEvidenceResponse([.. listingAnswers.Select(ListingAnswerResponse.From)], [.. detail.Samples.Select(RejectionSampleResponse.From)]),
            [.. detail.Timeline.Items.Select(TimelineEntryResponse.From)], detail.Timeline.Next);
    }
}

/// <summary>
/// One affected value: a listed IP or domain on one list (<c>source</c> is the zone, <c>basis</c>
/// <c>listing</c>), or a source IP a receiver refuses (<c>source</c> the receiver, <c>basis</c>
/// <c>rejection</c>, <c>categories</c> the rejection kind). <c>active</c> false once cleared.
/// </summary>
public sealed record AffectedValueResponse(
    string Value, string Source, IncidentBasis Basis, bool Active, IReadOnlyList<string> Codes, IReadOnlyList<string> Categories,
    string? Reason, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? ClearedAt)
{
    public static AffectedValueResponse From(IncidentValue v) => new(
        v.Value, v.Source, v.Basis, v.Active, Split(v.Codes), Split(v.Categories), v.Reason, v.FirstSeen, v.LastSeen, v.ClearedAt);

    internal static string[] Split(string commaList) => commaList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>What the lists and the receivers said: the evidence a delisting request quotes.</summary>
public sealed record IncidentEvidenceResponse(IReadOnlyList<ListingAnswerResponse> Listings, IReadOnlyList<RejectionSampleResponse> Rejections);

/// <summary>A list's answer for a value: its return codes and TXT reason; <c>active</c> false once the value was delisted.</summary>
public sealed record ListingAnswerResponse(string Value, string Zone, IReadOnlyList<string> Codes, string? Reason, bool Active)
{
    public static ListingAnswerResponse From(IncidentValue v) => new(v.Value, v.Source, AffectedValueResponse.Split(v.Codes), v.Reason, v.Active);
}

/// <summary>A rejection copied into the incident: when, which receiver and MX refused which source IP, and the reply's text as sent.</summary>
public sealed record RejectionSampleResponse(
    DateTimeOffset At, string Receiver, string? SourceIp, string? Mx, string Kind, int? SmtpCode, string? EnhancedCode, string Text)
{
    public static RejectionSampleResponse From(IncidentSample s) => new(s.At, s.Receiver, s.SourceIp, s.Mx, s.Kind, s.SmtpCode, s.EnhancedCode, s.Response);
}

/// <summary>A timeline line: <c>actor</c> is <c>system</c>, <c>user:&lt;email&gt;</c> or <c>key:&lt;name&gt;</c>; <c>detail</c> is plain text.</summary>
public sealed record TimelineEntryResponse(DateTimeOffset At, string Kind, string Actor, string Detail)
{
    public static TimelineEntryResponse From(IncidentTimelineEntry t) => new(t.At, t.Kind, t.Actor, t.Detail);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Incidents;

namespace Postmaster.Web.Incidents;

/// <summary>
/// One block by one provider against one asset group, from the first evidence until it resolves
/// (or a person stops working on it). The facts the rules need (<see cref="Facts"/>) are columns,
/// so the engine loads one row and asks <see cref="IncidentRules"/>.
/// </summary>
public sealed class Incident
{
    public const int MaxCitedByLength = 300;

    public const int MaxProviderLength = 64;

    public const int MaxAssigneeLength = 256;

    public long Id { get; set; }

    /// <summary>The provider slug: a list's operator (<c>spamhaus</c>), a receiver or a gateway.</summary>
    public string Provider { get; set; } = "";

    /// <summary>What the group is, as one key: <c>asset:12</c> for an inventory asset, <c>ip:192.0.2.7</c> outside it.</summary>
    public string GroupKey { get; set; } = "";

    /// <summary>The inventory asset of the group; null outside the inventory, or once the asset was removed.</summary>
    public long? AssetId { get; set; }

    /// <summary>The group as people read it: the asset's value (a range, a domain) or the source IP.</summary>
    public string GroupValue { get; set; } = "";

    public string? GroupLabel { get; set; }

    public bool InInventory { get; set; }

    /// <summary>How many addresses the group holds (1 for an IP or a domain, 256 for a /24): the share blocked sets severity.</summary>
    public long GroupSize { get; set; } = 1;

    public IncidentState State { get; set; }

    public IncidentSeverity Severity { get; set; }

    public bool SeverityPinned { get; set; }

    public ProviderWeight Weight { get; set; }

    public string? Assignee { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    /// <summary>Affected values (one per value and list or receiver) ever recorded on this incident.</summary>
    public long AffectedCount { get; set; }

    /// <summary>The receivers whose rejections named this list operator, comma-separated.</summary>
    public string CitedBy { get; set; } = "";

    public bool HasListings { get; set; }

    public int CleanChecks { get; set; }

    public bool HasRejections { get; set; }

    public bool RejectionsEnded { get; set; }

    public bool AcceptedSinceEnd { get; set; }

    /// <summary>1 while active, null once closed: one active incident per provider and group, enforced by the database.</summary>
    public int? ActiveMarker { get; set; }

    public IncidentFacts Facts() => new(State, Severity, OpenedAt, ClosedAt, SeverityPinned, HasListings, CleanChecks, HasRejections, RejectionsEnded, AcceptedSinceEnd);

    /// <summary>Takes the rules' answer; the active marker follows the state.</summary>
    public void Apply(IncidentFacts facts)
    {
        (State, Severity, OpenedAt, ClosedAt, SeverityPinned) = (facts.State, facts.Severity, facts.OpenedAt, facts.ClosedAt, facts.SeverityPinned);
        (HasListings, CleanChecks, HasRejections, RejectionsEnded, AcceptedSinceEnd) =
            (facts.HasListings, facts.CleanChecks, facts.HasRejections, facts.RejectionsEnded, facts.AcceptedSinceEnd);
        ActiveMarker = State.IsActive() ? 1 : null;
    }

    public IEnumerable<string> CitedByList() => CitedBy.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public void AddCitedBy(string receiver)
    {
        if (receiver.Length == 0 || CitedByList().Contains(receiver, StringComparer.Ordinal))
        {
            return;
        }

        var joined = CitedBy.Length == 0 ? receiver : $"{CitedBy},{receiver}";
        if (joined.Length <= MaxCitedByLength)
        {
            CitedBy = joined;
        }
    }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.Property(i => i.Provider).HasMaxLength(Incident.MaxProviderLength);
        builder.Property(i => i.GroupKey).HasMaxLength(80);
        builder.Property(i => i.GroupValue).HasMaxLength(300);
        builder.Property(i => i.GroupLabel).HasMaxLength(100);
        builder.Property(i => i.Assignee).HasMaxLength(Incident.MaxAssigneeLength);
        builder.Property(i => i.CitedBy).HasMaxLength(Incident.MaxCitedByLength);

        // One active incident per provider and group, whatever instance or chunk gets there first.
        builder.HasIndex(i => new { i.Provider, i.GroupKey, i.ActiveMarker }).IsUnique();

        // Lists: newest activity first, with and without the active filter.
        builder.HasIndex(i => new { i.LastActivityAt, i.Id });
        builder.HasIndex(i => new { i.ActiveMarker, i.LastActivityAt, i.Id });
        builder.HasIndex(i => new { i.State, i.LastActivityAt, i.Id });
        builder.HasIndex(i => new { i.Provider, i.LastActivityAt, i.Id });
        builder.HasIndex(i => new { i.Assignee, i.LastActivityAt, i.Id });
        builder.HasIndex(i => i.AssetId);
    }
}

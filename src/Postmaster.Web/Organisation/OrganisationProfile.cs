using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Requests;

namespace Postmaster.Web.Organisation;

/// <summary>
/// The facts providers ask about the sender (PRODUCT.md, Organisation profile): one row, edited by
/// admins under Settings → Organisation, read by every request draft. Streams and feedback loops
/// are small lists kept as JSON in the row.
/// </summary>
public sealed class OrganisationProfile
{
    public const int TheOne = 1;
    public const int MaxShort = 300;
    public const int MaxLong = 2000;
    public const int MaxStreams = 20;
    public const int MaxFeedbackLoops = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Id { get; set; } = TheOne;

    public string Company { get; set; } = "";

    public string Website { get; set; } = "";

    public string ImprintUrl { get; set; } = "";

    public string ContactName { get; set; } = "";

    public string ContactEmail { get; set; } = "";

    public string ContactPhone { get; set; } = "";

    public string PostmasterAddress { get; set; } = "";

    public string AbuseAddress { get; set; } = "";

    /// <summary>How addresses are collected and confirmed.</summary>
    public string OptIn { get; set; } = "";

    public string BounceHandling { get; set; } = "";

    public string ComplaintHandling { get; set; } = "";

    public string ListHygiene { get; set; } = "";

    /// <summary>JSON array of <see cref="MailStreamEntry"/>.</summary>
    public string StreamsJson { get; set; } = "[]";

    /// <summary>JSON array of strings (<c>Microsoft SNDS</c>, <c>Yahoo CFL</c>).</summary>
    public string FeedbackLoopsJson { get; set; } = "[]";

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public List<MailStreamEntry> Streams
    {
        get => JsonSerializer.Deserialize<List<MailStreamEntry>>(StreamsJson, Json) ?? [];
        set => StreamsJson = JsonSerializer.Serialize(value, Json);
    }

    public List<string> FeedbackLoops
    {
        get => JsonSerializer.Deserialize<List<string>>(FeedbackLoopsJson, Json) ?? [];
        set => FeedbackLoopsJson = JsonSerializer.Serialize(value, Json);
    }

    /// <summary>The profile as a request template reads it.</summary>
    public OrganisationFacts Facts() => new(
        Company, Website, ImprintUrl, ContactName, ContactEmail, ContactPhone, PostmasterAddress, AbuseAddress,
        OptIn, BounceHandling, ComplaintHandling, ListHygiene,
        [.. Streams.Select(s => new MailStreamFacts(s.Kind, s.Description, s.DailyVolume, s.PerProvider))],
        FeedbackLoops);
}

/// <summary>One mail stream: its kind, what it is, how much it sends a day overall and to each big provider (slug → messages).</summary>
public sealed record MailStreamEntry(string Kind, string Description, long DailyVolume, Dictionary<string, long> PerProvider);

internal sealed class OrganisationProfileConfiguration : IEntityTypeConfiguration<OrganisationProfile>
{
    public void Configure(EntityTypeBuilder<OrganisationProfile> builder)
    {
        builder.ToTable("OrganisationProfile");
        builder.Property(p => p.Id).ValueGeneratedNever();
        foreach (var name in new[] { "Company", "Website", "ImprintUrl", "ContactName", "ContactEmail", "ContactPhone", "PostmasterAddress", "AbuseAddress" })
        {
            builder.Property<string>(name).HasMaxLength(OrganisationProfile.MaxShort);
        }

        foreach (var name in new[] { "OptIn", "BounceHandling", "ComplaintHandling", "ListHygiene" })
        {
            builder.Property<string>(name).HasMaxLength(OrganisationProfile.MaxLong);
        }

        builder.Property(p => p.StreamsJson).HasMaxLength(20_000);
        builder.Property(p => p.FeedbackLoopsJson).HasMaxLength(4_000);
        builder.Property(p => p.UpdatedBy).HasMaxLength(300);
        builder.Ignore(p => p.Streams);
        builder.Ignore(p => p.FeedbackLoops);
    }
}

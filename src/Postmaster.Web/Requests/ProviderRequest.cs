using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Core.Requests;
using Postmaster.Web.Incidents;

namespace Postmaster.Web.Requests;

/// <summary>
/// A delisting or mitigation request drafted from a provider template for an incident (PRODUCT.md,
/// Request), from draft to the provider's last word. What was drafted is kept as it was sent (the
/// template is not rendered again), with the provider's reference, the reply, and when to chase.
/// </summary>
public sealed class ProviderRequest
{
    public const int MaxBody = 256 * 1024;
    public const int MaxSubject = 500;
    public const int MaxAddress = 320;
    public const int MaxUrl = 2000;
    public const int MaxReply = 50_000;
    public const int MaxFixed = 4000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long Id { get; set; }

    public long IncidentId { get; set; }

    /// <summary>The incident's provider slug when drafted.</summary>
    public string Provider { get; set; } = "";

    /// <summary><c>&lt;slug&gt;/&lt;name&gt;</c>; a follow-up keeps its first request's.</summary>
    public string TemplateId { get; set; } = "";

    public RequestKind Kind { get; set; }

    public RequestChannel Channel { get; set; }

    public string Language { get; set; } = "en";

    public RequestStatus Status { get; set; }

    public string? To { get; set; }

    public string? FormUrl { get; set; }

    public string? Subject { get; set; }

    public string Body { get; set; } = "";

    /// <summary>JSON array of <see cref="RenderedField"/>: the form's fields in its order.</summary>
    public string FieldsJson { get; set; } = "[]";

    /// <summary>Organisation facts the provider asks for that the profile lacked when drafted, comma-separated.</summary>
    public string MissingFacts { get; set; } = "";

    /// <summary>What the person said was fixed when drafting.</summary>
    public string Fixed { get; set; } = "";

    /// <summary>Business days to wait after submission before chasing (template, else pack, else the default).</summary>
    public int FollowUpDays { get; set; }

    /// <summary>For auto-expiry lists: the list's own expiry after submission.</summary>
    public int? ExpiresAfterHours { get; set; }

    public string? Reference { get; set; }

    public DateTimeOffset? FollowUpAt { get; set; }

    /// <summary>The <see cref="FollowUpAt"/> whose coming due was announced: a new follow-up date is announced again.</summary>
    public DateTimeOffset? FollowUpAnnouncedFor { get; set; }

    public string? ReplyText { get; set; }

    public string? ReplyFrom { get; set; }

    public DateTimeOffset? RepliedAt { get; set; }

    /// <summary>The Message-ID the request went out with (without angle brackets); replies are matched to it.</summary>
    public string? MessageId { get; set; }

    /// <summary>A follow-up's thread: the Message-ID of the request it follows.</summary>
    public string? InReplyTo { get; set; }

    public long? ParentRequestId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>When it was accepted or denied.</summary>
    public DateTimeOffset? DecidedAt { get; set; }

    public IReadOnlyList<RenderedField> Fields
    {
        get => JsonSerializer.Deserialize<List<RenderedField>>(FieldsJson, Json) ?? [];
        set => FieldsJson = JsonSerializer.Serialize(value, Json);
    }

    public IReadOnlyList<string> MissingFactList() => MissingFacts.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Submitted or replied: the provider still has to give its last word.</summary>
    public bool Pending => Status is RequestStatus.Submitted or RequestStatus.Replied;
}

/// <summary>One line of a request's own history (drafted, edited, sent, a reply, a note, a follow-up due), beside the incident's timeline.</summary>
public sealed class RequestEvent
{
    public const int MaxDetailLength = 2000;

    public long Id { get; set; }

    public long RequestId { get; set; }

    public DateTimeOffset At { get; set; }

    public string Kind { get; set; } = "";

    public string Actor { get; set; } = "system";

    public string Detail { get; set; } = "";
}

internal sealed class ProviderRequestConfiguration : IEntityTypeConfiguration<ProviderRequest>
{
    public void Configure(EntityTypeBuilder<ProviderRequest> builder)
    {
        builder.ToTable("Requests");
        builder.Property(r => r.Provider).HasMaxLength(64);
        builder.Property(r => r.TemplateId).HasMaxLength(200);
        builder.Property(r => r.Language).HasMaxLength(35);
        builder.Property(r => r.To).HasMaxLength(ProviderRequest.MaxAddress);
        builder.Property(r => r.FormUrl).HasMaxLength(ProviderRequest.MaxUrl);
        builder.Property(r => r.Subject).HasMaxLength(ProviderRequest.MaxSubject);
        builder.Property(r => r.Body).HasMaxLength(ProviderRequest.MaxBody);
        builder.Property(r => r.FieldsJson).HasMaxLength(ProviderRequest.MaxBody);
        builder.Property(r => r.MissingFacts).HasMaxLength(500);
        builder.Property(r => r.Fixed).HasMaxLength(ProviderRequest.MaxFixed);
        builder.Property(r => r.Reference).HasMaxLength(300);
        builder.Property(r => r.ReplyText).HasMaxLength(ProviderRequest.MaxReply);
        builder.Property(r => r.ReplyFrom).HasMaxLength(ProviderRequest.MaxAddress);
        builder.Property(r => r.MessageId).HasMaxLength(300);
        builder.Property(r => r.InReplyTo).HasMaxLength(300);
        builder.Property(r => r.CreatedBy).HasMaxLength(300);
        builder.Ignore(r => r.Fields);
        builder.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.IncidentId, r.Id });
        builder.HasIndex(r => new { r.Status, r.Id });

        // The follow-up scan reads this column, not one trigger per request: it survives restarts on the in-memory store.
        builder.HasIndex(r => r.FollowUpAt);
        builder.HasIndex(r => r.MessageId).IsUnique();
        builder.HasIndex(r => new { r.Provider, r.Kind });
    }
}

internal sealed class RequestEventConfiguration : IEntityTypeConfiguration<RequestEvent>
{
    public void Configure(EntityTypeBuilder<RequestEvent> builder)
    {
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Actor).HasMaxLength(300);
        builder.Property(e => e.Detail).HasMaxLength(RequestEvent.MaxDetailLength);
        builder.HasOne<ProviderRequest>().WithMany().HasForeignKey(e => e.RequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.RequestId, e.Id });
    }
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Web.Infrastructure.Auth;

public sealed class PostmasterUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The time zone pages show this person's times in (an IANA name); null: the installation's <c>Postmaster:TimeZone</c>.</summary>
    public string? TimeZone { get; set; }
}

internal sealed class PostmasterUserConfiguration : IEntityTypeConfiguration<PostmasterUser>
{
    public void Configure(EntityTypeBuilder<PostmasterUser> builder) => builder.Property(u => u.TimeZone).HasMaxLength(TimeZones.MaxNameLength);
}

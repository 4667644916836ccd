using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Requests;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Organisation;

/// <summary>What an admin sends from Settings → Organisation: every field as typed.</summary>
public sealed record OrganisationInput(
    string? Company,
    string? Website,
    string? ImprintUrl,
    string? ContactName,
    string? ContactEmail,
    string? ContactPhone,
    string? PostmasterAddress,
    string? AbuseAddress,
    string? OptIn,
    string? BounceHandling,
    string? ComplaintHandling,
    string? ListHygiene,
    IReadOnlyList<MailStreamEntry> Streams,
    IReadOnlyList<string> FeedbackLoops);

/// <summary>Reads and saves the one organisation profile; a bad field changes nothing and says which and why.</summary>
public sealed class OrganisationProfiles(PostmasterDbContext db, AuditTrail audit, TimeProvider time)
{
    public async Task<OrganisationProfile> LoadAsync(CancellationToken ct) =>
        await db.OrganisationProfile.AsNoTracking().FirstOrDefaultAsync(p => p.Id == OrganisationProfile.TheOne, ct) ?? new OrganisationProfile();

    public async Task<OrganisationFacts> FactsAsync(CancellationToken ct) => (await LoadAsync(ct)).Facts();

    /// <summary>Saves the profile, or returns the problems (one sentence each) and saves nothing.</summary>
    public async Task<IReadOnlyList<string>> SaveAsync(OrganisationInput input, CancellationToken ct)
    {
        var problems = Problems(input);
        if (problems.Count > 0)
        {
            return problems;
        }

        var row = await db.OrganisationProfile.FirstOrDefaultAsync(p => p.Id == OrganisationProfile.TheOne, ct);
        if (row is null)
        {
            row = new OrganisationProfile();
            db.OrganisationProfile.Add(row);
        }

        var before = Snapshot(row);
        (row.Company, row.Website, row.ImprintUrl, row.ContactName) = (T(input.Company), T(input.Website), T(input.ImprintUrl), T(input.ContactName));
        (row.ContactEmail, row.ContactPhone, row.PostmasterAddress, row.AbuseAddress) = (T(input.ContactEmail), T(input.ContactPhone), T(input.PostmasterAddress), T(input.AbuseAddress));
        (row.OptIn, row.BounceHandling, row.ComplaintHandling, row.ListHygiene) = (T(input.OptIn), T(input.BounceHandling), T(input.ComplaintHandling), T(input.ListHygiene));
        row.Streams = [.. input.Streams.Select(s => s with { Kind = s.Kind.Trim().ToLowerInvariant(), Description = s.Description.Trim() })];
        row.FeedbackLoops = [.. input.FeedbackLoops.Select(f => f.Trim()).Where(f => f.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        var changed = Snapshot(row).Where(kv => before[kv.Key] != kv.Value).Select(kv => kv.Key).ToList();
        if (changed.Count == 0)
        {
            return [];
        }

        (row.UpdatedAt, row.UpdatedBy) = (time.GetUtcNow(), ColumnText.Fit(audit.CurrentActor(), 300));
        await db.SaveChangesAsync(ct);

        // Which fields, not their values: the profile is the organisation's, the trail only says who changed what.
        await audit.RecordAsync(AuditActions.OrganisationChanged, "organisation profile", string.Join(", ", changed), ct);
        return [];
    }

    private static string T(string? text) => (text ?? "").Trim();

    private static Dictionary<string, string> Snapshot(OrganisationProfile p) => new()
    {
        ["company"] = p.Company,
        ["website"] = p.Website,
        ["imprintUrl"] = p.ImprintUrl,
        ["contactName"] = p.ContactName,
        ["contactEmail"] = p.ContactEmail,
        ["contactPhone"] = p.ContactPhone,
        ["postmasterAddress"] = p.PostmasterAddress,
        ["abuseAddress"] = p.AbuseAddress,
        ["optIn"] = p.OptIn,
        ["bounceHandling"] = p.BounceHandling,
        ["complaintHandling"] = p.ComplaintHandling,
        ["listHygiene"] = p.ListHygiene,
        ["streams"] = p.StreamsJson,
        ["feedbackLoops"] = p.FeedbackLoopsJson,
    };

    public static List<string> Problems(OrganisationInput input)
    {
        var problems = new List<string>();
        foreach (var (name, value) in new[] { ("Company", input.Company), ("Contact name", input.ContactName), ("Contact phone", input.ContactPhone) })
        {
            Length(problems, name, value, OrganisationProfile.MaxShort);
        }

        foreach (var (name, value) in new[] { ("Website", input.Website), ("Imprint URL", input.ImprintUrl) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !IsWebAddress(value.Trim()))
            {
                problems.Add($"{name} '{ColumnText.Fit(value.Trim(), 80)}' is not a web address: write it as https://www.example.com.");
            }

            Length(problems, name, value, OrganisationProfile.MaxShort);
        }

        foreach (var (name, value) in new[] { ("Contact email", input.ContactEmail), ("Postmaster address", input.PostmasterAddress), ("Abuse address", input.AbuseAddress) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !IsEmail(value.Trim()))
            {
                problems.Add($"{name} '{ColumnText.Fit(value.Trim(), 80)}' is not an email address (name@example.com).");
            }

            Length(problems, name, value, OrganisationProfile.MaxShort);
        }

        foreach (var (name, value) in new[] { ("Opt-in", input.OptIn), ("Bounce handling", input.BounceHandling), ("Complaint handling", input.ComplaintHandling), ("List hygiene", input.ListHygiene) })
        {
            Length(problems, name, value, OrganisationProfile.MaxLong);
        }

        if (input.Streams.Count > OrganisationProfile.MaxStreams)
        {
            problems.Add($"At most {OrganisationProfile.MaxStreams} mail streams; merge the small ones.");
        }

        for (var i = 0; i < input.Streams.Count; i++)
        {
            var s = input.Streams[i];
            var which = $"Stream {i + 1}";
            if (!MailStreamFacts.Kinds.Contains(s.Kind.Trim().ToLowerInvariant(), StringComparer.Ordinal))
            {
                problems.Add($"{which}: kind '{ColumnText.Fit(s.Kind, 40)}' is not one of {string.Join(", ", MailStreamFacts.Kinds)}.");
            }

            if (string.IsNullOrWhiteSpace(s.Description) || s.Description.Length > OrganisationProfile.MaxShort)
            {
                problems.Add($"{which}: say what the stream is (password resets, weekly newsletter), in at most {OrganisationProfile.MaxShort} characters.");
            }

            if (s.DailyVolume is < 0 or > 10_000_000_000 || s.PerProvider.Values.Any(v => v is < 0 or > 10_000_000_000))
            {
                problems.Add($"{which}: volumes are messages a day, from 0 to 10,000,000,000.");
            }
        }

        if (input.FeedbackLoops.Count > OrganisationProfile.MaxFeedbackLoops || input.FeedbackLoops.Any(f => f.Length > 100))
        {
            problems.Add($"Feedback loops: at most {OrganisationProfile.MaxFeedbackLoops}, one per line, each at most 100 characters.");
        }

        return problems;
    }

    private static void Length(List<string> problems, string name, string? value, int max)
    {
        if (value is { Length: > 0 } text && text.Trim().Length > max)
        {
            problems.Add($"{name} has {text.Trim().Length:N0} characters; it takes at most {max:N0}.");
        }
    }

    private static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Contains('.', StringComparison.Ordinal);

    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 3 && text[(at + 1)..].Contains('.', StringComparison.Ordinal)
            && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or ',' or ';');
    }
}

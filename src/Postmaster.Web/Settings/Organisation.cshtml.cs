using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;
using Postmaster.Web.Organisation;

namespace Postmaster.Web.Settings;

/// <summary>
/// Settings → Organisation (admins): the facts providers ask about the sender, which every request
/// draft reads. Volumes are asked per big receiver (the packs that weigh major or severe).
/// </summary>
public sealed class OrganisationModel(OrganisationProfiles profiles, ProviderRegistry providers) : PageModel
{
    [BindProperty]
    public OrganisationForm Form { get; set; } = new();

    public IReadOnlyList<ProviderPack> BigReceivers { get; private set; } = [];

    public IReadOnlyList<string> Problems { get; private set; } = [];

    [TempData]
    public string? Saved { get; set; }

    public DateTimeOffset? UpdatedAt { get; private set; }

    public string? UpdatedBy { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var profile = await profiles.LoadAsync(ct);
        Form = OrganisationForm.From(profile);
        await LoadAsync(profile);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var (input, problems) = Form.Read();
        if (problems.Count == 0)
        {
            problems = [.. await profiles.SaveAsync(input, ct)];
        }

        if (problems.Count == 0)
        {
            Saved = "Saved: new drafts use the new profile.";
            return RedirectToPage();
        }

        Problems = problems;
        await LoadAsync(await profiles.LoadAsync(ct));
        return Page();
    }

    private Task LoadAsync(OrganisationProfile profile)
    {
        BigReceivers = [.. providers.BigReceivers.OrderByDescending(p => p.Weight).ThenBy(p => p.Slug, StringComparer.Ordinal)];
        (UpdatedAt, UpdatedBy) = (profile.UpdatedAt, profile.UpdatedBy);

        // One empty row more than there are streams: that is how a stream is added.
        if (Form.Streams.Count == 0 || !Form.Streams[^1].IsBlank)
        {
            Form.Streams.Add(new StreamForm());
        }

        return Task.CompletedTask;
    }
}

/// <summary>The form as posted: text as typed, so a refused save gives everything back.</summary>
public sealed class OrganisationForm
{
    public string? Company { get; set; }

    public string? Website { get; set; }

    public string? ImprintUrl { get; set; }

    public string? ContactName { get; set; }

    public string? ContactEmail { get; set; }

    public string? ContactPhone { get; set; }

    public string? PostmasterAddress { get; set; }

    public string? AbuseAddress { get; set; }

    public string? OptIn { get; set; }

    public string? BounceHandling { get; set; }

    public string? ComplaintHandling { get; set; }

    public string? ListHygiene { get; set; }

    public List<StreamForm> Streams { get; set; } = [];

    /// <summary>One enrolment per line.</summary>
    public string? FeedbackLoops { get; set; }

    public static OrganisationForm From(OrganisationProfile p) => new()
    {
        Company = p.Company,
        Website = p.Website,
        ImprintUrl = p.ImprintUrl,
        ContactName = p.ContactName,
        ContactEmail = p.ContactEmail,
        ContactPhone = p.ContactPhone,
        PostmasterAddress = p.PostmasterAddress,
        AbuseAddress = p.AbuseAddress,
        OptIn = p.OptIn,
        BounceHandling = p.BounceHandling,
        ComplaintHandling = p.ComplaintHandling,
        ListHygiene = p.ListHygiene,
        Streams = [.. p.Streams.Select(s => new StreamForm
        {
            Kind = s.Kind,
            Description = s.Description,
            DailyVolume = s.DailyVolume.ToString(CultureInfo.InvariantCulture),
            PerProvider = s.PerProvider.ToDictionary(v => v.Key, v => (string?)v.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal),
        })],
        FeedbackLoops = string.Join('\n', p.FeedbackLoops),
    };

    /// <summary>The input, or what is wrong with the numbers (the rest is checked on save). A row left blank is no stream.</summary>
    public (OrganisationInput Input, List<string> Problems) Read()
    {
        var problems = new List<string>();
        var streams = new List<MailStreamEntry>();
        foreach (var (row, i) in Streams.Select((s, i) => (s, i)).Where(r => !r.s.IsBlank))
        {
            var perProvider = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (slug, text) in row.PerProvider.Where(p => !string.IsNullOrWhiteSpace(p.Value)))
            {
                perProvider[slug] = Number(text, $"Stream {i + 1}, volume to {slug}", problems);
            }

            streams.Add(new MailStreamEntry(row.Kind ?? "", row.Description ?? "", string.IsNullOrWhiteSpace(row.DailyVolume) ? 0 : Number(row.DailyVolume, $"Stream {i + 1}, daily volume", problems), perProvider));
        }

        var loops = (FeedbackLoops ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return (new OrganisationInput(Company, Website, ImprintUrl, ContactName, ContactEmail, ContactPhone, PostmasterAddress, AbuseAddress,
            OptIn, BounceHandling, ComplaintHandling, ListHygiene, streams, loops), problems);
    }

    private static long Number(string? text, string what, List<string> problems)
    {
        if (long.TryParse((text ?? "").Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        problems.Add($"{what}: '{(text ?? "").Trim()}' is not a whole number of messages a day.");
        return 0;
    }
}

public sealed class StreamForm
{
    public string? Kind { get; set; } = "transactional";

    public string? Description { get; set; }

    public string? DailyVolume { get; set; }

    public Dictionary<string, string?> PerProvider { get; set; } = new(StringComparer.Ordinal);

    public bool IsBlank => string.IsNullOrWhiteSpace(Description) && string.IsNullOrWhiteSpace(DailyVolume) && PerProvider.Values.All(string.IsNullOrWhiteSpace);
}

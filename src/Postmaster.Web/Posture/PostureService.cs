using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.Assets;
using Postmaster.Core.Posture;
using Postmaster.Web.Assets;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Posture;

/// <summary>One asset's posture as pages and the API show it.</summary>
public sealed record PostureView(
    string Value,
    long? AssetId,
    DateTimeOffset? CheckedAt,
    IReadOnlyList<PostureCheck> Checks,
    IReadOnlyList<string> DkimSelectors,
    IReadOnlyList<string> SpfPassDomains);

/// <summary>Runs the checks (for one asset on demand, for all on the schedule, for a value outside the inventory ad hoc) and keeps the last result per asset.</summary>
public sealed class PostureService(
    PostmasterDbContext db,
    PostureSubjects subjects,
    PostureResolver resolver,
    WebsiteProbe probe,
    PublicSuffixes suffixes,
    AuditTrail audit,
    IOptions<PostureOptions> options,
    TimeProvider time,
    ILogger<PostureService> log)
{
    public const int MaxSelectors = 20;

    /// <summary>The audit action of a change to a domain's DKIM selectors.</summary>
    public const string DkimSelectorsSet = "dkim-selectors-set";

    /// <summary>Checks one inventory asset now and stores the result.</summary>
    public async Task<PostureView> RefreshAsync(Asset asset, CancellationToken ct)
    {
        var inventory = await subjects.LoadAsync(ct);
        return await RefreshAsync(asset, inventory, new PostureAssessor(resolver.NewSession(), probe, options.Value.CheckWebsites, suffixes), ct);
    }

    /// <summary>The scheduled run: every asset, one DNS session (an SPF record shared by many pairs is fetched once).</summary>
    public async Task<int> RefreshAllAsync(CancellationToken ct)
    {
        var inventory = await subjects.LoadAsync(ct);
        var assessor = new PostureAssessor(resolver.NewSession(), probe, options.Value.CheckWebsites, suffixes);
        var done = 0;
        foreach (var asset in inventory.Assets)
        {
            await RefreshAsync(asset, inventory, assessor, ct);
            done++;
        }

        log.LogInformation("Posture refreshed for {Assets} assets", done);
        return done;
    }

    /// <summary>A value outside the inventory (an address a block named, say): checked now, not stored.</summary>
    public async Task<PostureView> CheckAsync(AssetValue value, CancellationToken ct)
    {
        var inventory = await subjects.LoadAsync(ct);
        var assessor = new PostureAssessor(resolver.NewSession(), probe, options.Value.CheckWebsites, suffixes);
        var report = await AssessAsync(assessor, subjects.For(value, null, null, inventory), ct);
        return new PostureView(value.Value, null, time.GetUtcNow(), report.Checks, [], report.SpfPassDomains);
    }

    /// <summary>Sets a domain's DKIM selectors (empty: try common ones); null with the reason when they are not acceptable.</summary>
    public async Task<(IReadOnlyList<string>? Selectors, string? Error)> SetSelectorsAsync(Asset asset, IEnumerable<string?> input, CancellationToken ct)
    {
        if (asset.Kind != AssetKind.Domain)
        {
            return (null, $"{asset.Value} is not a domain: DKIM selectors belong to sending domains.");
        }

        var selectors = new List<string>();
        foreach (var raw in input)
        {
            var selector = raw?.Trim().TrimEnd('.').ToLowerInvariant() ?? "";
            if (selector.Length == 0)
            {
                continue;
            }

            if (selector.Length > 63 * 3 || selector.Split('.').Any(l => l.Length is 0 or > 63 || !l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            {
                return (null, $"'{PostureText.Bound(selector, 60)}' is not a DKIM selector: letters, digits, '-' and '_' in dot-separated labels (the s= of a DKIM-Signature).");
            }

            if (!selectors.Contains(selector, StringComparer.Ordinal))
            {
                selectors.Add(selector);
            }
        }

        if (selectors.Count > MaxSelectors || string.Join(',', selectors).Length > AssetPosture.MaxSelectorsLength)
        {
            return (null, $"At most {MaxSelectors} selectors ({AssetPosture.MaxSelectorsLength} characters) per domain.");
        }

        var row = await db.AssetPostures.FirstOrDefaultAsync(p => p.AssetId == asset.Id, ct);
        if (row is null)
        {
            db.AssetPostures.Add(row = new AssetPosture { AssetId = asset.Id });
        }

        row.DkimSelectors = selectors.Count == 0 ? null : string.Join(',', selectors);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(DkimSelectorsSet, asset.Value, selectors.Count == 0 ? "none: common selectors are tried" : string.Join(", ", selectors), ct);
        return (selectors, null);
    }

    private async Task<PostureView> RefreshAsync(Asset asset, PostureSubjects.Inventory inventory, PostureAssessor assessor, CancellationToken ct)
    {
        var report = await AssessAsync(assessor, subjects.For(asset.ToValue(), asset.Pool, asset.Id, inventory), ct);
        // To the millisecond: what the databases keep (SQLite 100 µs, PostgreSQL 1 µs), so the answer
        // of the check that stored it and every later read of it say the same time.
        var now = time.GetUtcNow();
        var at = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), now.Offset);
        var row = await db.AssetPostures.FirstOrDefaultAsync(p => p.AssetId == asset.Id, ct);
        if (row is null)
        {
            db.AssetPostures.Add(row = new AssetPosture { AssetId = asset.Id });
        }

        row.CheckedAt = at;
        row.WriteChecks(report.Checks);
        row.SpfPassDomains = report.SpfPassDomains.Count == 0 ? null : ColumnText.Fit(string.Join(',', report.SpfPassDomains), 4000);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The asset was removed meanwhile (its row goes with it), or another refresh stored first: the newer result stands.
            db.ChangeTracker.Clear();
            log.LogInformation("Posture of asset {AssetId} not stored: the asset is gone or another refresh stored first", asset.Id);
        }

        log.LogInformation("Posture of asset {AssetId} {Value}: {Summary}", asset.Id, asset.Value,
            string.Join(", ", report.Checks.Select(c => $"{c.Name} {c.Status.ToApi()}")));
        return new PostureView(asset.Value, asset.Id, at, report.Checks, row.Selectors(), report.SpfPassDomains);
    }

    /// <summary>Runs the assessor within <see cref="PostureOptions.TimeoutSeconds"/>; past it every check is unknown, never pass.</summary>
    private async Task<PostureReport> AssessAsync(PostureAssessor assessor, PostureSubject subject, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            return await assessor.AssessAsync(subject, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var names = subject.Kind switch
            {
                AssetKind.Ip or AssetKind.Range => PostureCheckNames.All.Take(5),
                AssetKind.Domain => PostureCheckNames.All.Skip(4),
                _ => [PostureCheckNames.Helo],
            };
            var detail = $"The checks of {subject.Value} took longer than {options.Value.TimeoutSeconds} s (Postmaster:Posture:TimeoutSeconds) and were given up.";
            return new PostureReport([.. names.Select(n => PostureCheck.Unknown(n, detail, "Check that the resolver (Postmaster:Dns:Servers) answers quickly, then refresh."))], []);
        }
    }
}

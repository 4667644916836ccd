using System.Text.Json;

namespace Postmaster.Web.Blocklists;

/// <summary>
/// Which enabled lists a run asks and which it skipped (with why), read from its plan. A run that
/// skipped lists checked less than it seems: their answers are unknown, not clean.
/// </summary>
public sealed record SweepCoverage(int ListsChecked, IReadOnlyList<SkippedList> Skipped)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int ListsSkipped => Skipped.Count;

    public static SweepCoverage Of(SweepRun run)
    {
        // Only the lists: the plan's assets (a large part of it) are skipped over, not materialised.
        var lists = JsonSerializer.Deserialize<PlanLists>(run.PlanJson, Json);
        return new SweepCoverage(lists?.Lists?.Count ?? 0, lists?.Skipped ?? []);
    }

    private sealed record PlanLists(IReadOnlyList<PlannedList>? Lists, IReadOnlyList<SkippedList>? Skipped);
}

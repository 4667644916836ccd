using System.Globalization;

namespace Postmaster.Core.Signals;

/// <summary>
/// Quiet-IP risk that follows the IP's own rhythm towards a provider. A provider that forgets
/// quiet senders (T-Online: after about a year, and operators report shorter pauses hurting too)
/// publishes one period; an IP that sent every day and stopped three weeks ago has changed its
/// behaviour long before a quarter of that period is up, while one that always sends weekly has not
/// after ten days. So the IP's usual gap between delivery days sets when silence becomes unusual,
/// and the published period stays the floor: cadence can only raise a risk earlier, never later.
/// </summary>
public static class QuietIpRule
{
    /// <summary>Days of history before the last delivery that show the IP's rhythm: a quarter covers weekly and monthly senders.</summary>
    public const int LookbackDays = 90;

    /// <summary>Two gaps at least (three delivery days): one gap is a coincidence, not a rhythm.</summary>
    public const int MinimumGaps = 2;

    /// <summary>
    /// Missing three usual sends in a row is a change, missing one or two is noise (a holiday, a
    /// quiet weekend); under a week of silence is never a risk, however regular the IP was.
    /// </summary>
    public const int WatchCadences = 3;

    public const int WatchMinimumDays = 7;

    /// <summary>Six missed sends and four weeks at least: silence that is the IP's new normal, not a pause.</summary>
    public const int HighCadences = 6;

    public const int HighMinimumDays = 28;

    /// <summary>The fewest whole days of silence that can raise any risk at a provider with this rule (for bounding queries).</summary>
    public static int EarliestRiskDays(QuietSenderReset reset) => Math.Min(WatchMinimumDays, PublishedWatchDays(reset.AfterDays));

    /// <summary>
    /// Assesses one (provider, source IP). <paramref name="history"/> holds delivered counts per UTC
    /// day; days outside the lookback before <paramref name="lastDelivered"/> are ignored, so callers
    /// may pass more than needed.
    /// </summary>
    public static QuietIpAssessment Assess(string providerName, QuietSenderReset? reset, DateTimeOffset? lastDelivered, IEnumerable<DeliveryDay> history, DateTimeOffset now)
    {
        if (lastDelivered is not { } last)
        {
            return new QuietIpAssessment(QuietRisk.None, 0, null, null, null, Say($"Never delivered to {providerName}, so there is no reputation there to lose."));
        }

        var quietDays = Math.Max(0, (int)Math.Floor((now - last).TotalDays));
        var lastDay = DateOnly.FromDateTime(last.UtcDateTime);
        var window = history.Where(d => d.Day > lastDay.AddDays(-LookbackDays) && d.Day <= lastDay && d.Delivered > 0).ToList();
        var cadence = UsualCadence(window.Select(d => d.Day).Append(lastDay));
        var keepWarm = window.Count == 0 ? (long?)null : LowerMedian(window.GroupBy(d => d.Day).Select(g => g.Sum(d => d.Delivered)));
        if (reset is null)
        {
            return new QuietIpAssessment(QuietRisk.None, quietDays, cadence, null, keepWarm,
                Say($"{providerName} does not forget quiet senders, so {Days(quietDays)} of silence puts nothing at risk there."));
        }

        var after = reset.AfterDays;
        var watchDays = PublishedWatchDays(after);
        var highDays = PublishedHighDays(after);
        if (cadence is { } c)
        {
            watchDays = Math.Min(Math.Max((WatchCadences * c) + 1, WatchMinimumDays), watchDays);
            highDays = Math.Min(Math.Max((HighCadences * c) + 1, HighMinimumDays), highDays);
        }

        var risk = quietDays >= after ? QuietRisk.Lost
            : quietDays >= highDays ? QuietRisk.High
            : quietDays >= watchDays ? QuietRisk.Watch
            : QuietRisk.None;
        var due = last.AddDays(watchDays);
        return new QuietIpAssessment(risk, quietDays, cadence, due, keepWarm, Reason(providerName, after, risk, quietDays, cadence, due, keepWarm));
    }

    /// <summary>
    /// The gap a typical day of the lookback sat in (the time-weighted median gap between delivery
    /// days): 1 for a daily sender, 7 for a weekly one, and for bursts the pause between bursts
    /// rather than the one-day gaps inside them, which a plain median would report.
    /// </summary>
    private static int? UsualCadence(IEnumerable<DateOnly> days)
    {
        var sorted = days.Distinct().Order().ToList();
        var gaps = sorted.Zip(sorted.Skip(1), (a, b) => b.DayNumber - a.DayNumber).Order().ToList();
        if (gaps.Count < MinimumGaps)
        {
            return null;
        }

        var total = gaps.Sum();
        var covered = 0;
        foreach (var gap in gaps)
        {
            covered += gap;
            if (covered * 2 >= total)
            {
                return gap;
            }
        }

        return gaps[^1];
    }

    // The published thresholds as they were before cadence: watch after a quarter of the period, high after three quarters.
    private static int PublishedWatchDays(int after) => (int)Math.Ceiling(after / 4.0);

    private static int PublishedHighDays(int after) => (int)Math.Ceiling(after * 3 / 4.0);

    private static long LowerMedian(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[(sorted.Count - 1) / 2];
    }

    private static string Reason(string provider, int after, QuietRisk risk, int quietDays, int? cadence, DateTimeOffset due, long? keepWarm)
    {
        var rhythm = cadence switch
        {
            null => $"Delivered to {provider} too seldom in the {LookbackDays} days before its last delivery to show a rhythm",
            1 => $"Usually delivers to {provider} every day",
            { } c => $"Usually delivers to {provider} about every {c} days",
        };
        var volume = keepWarm switch
        {
            null => "some mail",
            1 => "at least 1 message",
            { } v => $"about {v} messages (a usual day)",
        };
        return risk switch
        {
            QuietRisk.Lost => Say($"{rhythm}, but has been silent for {Days(quietDays)}, past the {after} days after which {provider} forgets quiet senders: ask {provider} for a reset before sending again."),
            QuietRisk.None => Say($"{rhythm} and has been silent for {Days(quietDays)}, within its rhythm; {provider} forgets senders quiet for {after} days, so send {volume} by {due:yyyy-MM-dd} to keep it warm."),
            _ => Say($"{rhythm}, but has been silent for {Days(quietDays)} (next send was due {due:yyyy-MM-dd}); {provider} forgets senders quiet for {after} days, so send {volume} now to keep it warm."),
        };
    }

    private static string Days(int days) => days == 1 ? "1 day" : Say($"{days} days");

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

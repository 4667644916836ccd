using Postmaster.Core.Signals;

namespace Postmaster.Tests.Signals;

public sealed class QuietIpRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly QuietSenderReset TOnline = new(365, null, null); // watch floor 92 days, high 274, lost 365

    /// <summary>An IP's history towards a provider, as delivery days counted back from its last delivery (day 0).</summary>
    private static List<DeliveryDay> Sends(DateTimeOffset last, IEnumerable<int> daysBeforeLast, long perDay = 120)
    {
        var lastDay = DateOnly.FromDateTime(last.UtcDateTime);
        return daysBeforeLast.Select(d => new DeliveryDay(lastDay.AddDays(-d), perDay)).ToList();
    }

    // A month of daily mail; weekly for twelve weeks; bursts of three days with pauses of 26, 31 and 19 days.
    private static readonly IEnumerable<int> Daily = Enumerable.Range(0, 30);
    private static readonly IEnumerable<int> Weekly = Enumerable.Range(0, 12).Select(w => w * 7);
    private static readonly IEnumerable<int> Bursty = new[] { 84, 56, 23, 2 }.SelectMany(start => Enumerable.Range(start - 2, 3));

    private static IEnumerable<int> Cadence(string name) => name switch
    {
        "daily" => Daily,
        "weekly" => Weekly,
        "bursty" => Bursty,
        "once" => [0],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static QuietIpAssessment Assess(string cadence, int quietDays, QuietSenderReset? reset = null, string provider = "T-Online")
    {
        var last = Now.AddDays(-quietDays).AddHours(-1);
        return QuietIpRule.Assess(provider, reset, last, Sends(last, Cadence(cadence)), Now);
    }

    [Theory]
    [InlineData("daily", 5, QuietRisk.None)]    // under a week is never a risk
    [InlineData("daily", 21, QuietRisk.Watch)]  // a month of daily mail, then three weeks of silence
    [InlineData("daily", 35, QuietRisk.High)]   // four weeks and far outside its rhythm
    [InlineData("weekly", 10, QuietRisk.None)]  // one missed send is noise
    [InlineData("weekly", 23, QuietRisk.Watch)] // three missed sends are a change
    [InlineData("weekly", 43, QuietRisk.High)]  // six missed sends
    [InlineData("bursty", 40, QuietRisk.None)]  // between bursts: its pauses run to a month
    [InlineData("bursty", 80, QuietRisk.Watch)] // three usual pauses without a burst
    [InlineData("once", 80, QuietRisk.None)]    // no rhythm to go by: the published quarter decides
    [InlineData("once", 92, QuietRisk.Watch)]
    [InlineData("once", 274, QuietRisk.High)]
    public void Risk_follows_the_ips_own_cadence_with_the_published_period_as_the_floor(string cadence, int quietDays, QuietRisk expected)
    {
        Assert.Equal(expected, Assess(cadence, quietDays, TOnline).Risk);
    }

    [Theory]
    [InlineData("daily", 1)]
    [InlineData("weekly", 7)]
    [InlineData("bursty", 26)] // the pause between bursts, not the one-day gaps inside them
    public void The_usual_cadence_is_the_gap_a_typical_day_sat_in(string cadence, int days)
    {
        Assert.Equal(days, Assess(cadence, 10, TOnline).UsualCadenceDays);
    }

    [Fact]
    public void A_single_delivery_shows_no_cadence()
    {
        Assert.Null(Assess("once", 10, TOnline).UsualCadenceDays);
    }

    [Theory]
    [InlineData("daily")]
    [InlineData("weekly")]
    [InlineData("bursty")]
    [InlineData("once")]
    public void Past_the_published_period_the_ip_is_lost_whatever_its_cadence(string cadence)
    {
        Assert.Equal(QuietRisk.Lost, Assess(cadence, 365, TOnline).Risk);
    }

    [Fact]
    public void A_slow_rhythm_never_pushes_the_risk_past_the_published_quarter()
    {
        var last = Now.AddDays(-92).AddHours(-1);
        var every40Days = Sends(last, [0, 40, 80]);

        var assessment = QuietIpRule.Assess("T-Online", TOnline, last, every40Days, Now);

        Assert.Equal(40, assessment.UsualCadenceDays);
        Assert.Equal(QuietRisk.Watch, assessment.Risk);
        Assert.Equal(last.AddDays(92), assessment.NextSendDueAt);
    }

    [Theory]
    [InlineData("daily", 400)]
    [InlineData("once", 400)]
    public void A_provider_that_does_not_reset_quiet_senders_never_raises_it(string cadence, int quietDays)
    {
        var gmail = Assess(cadence, quietDays, reset: null, provider: "Gmail");

        Assert.Equal(QuietRisk.None, gmail.Risk);
        Assert.Null(gmail.NextSendDueAt);
        Assert.Equal($"Gmail does not forget quiet senders, so {quietDays} days of silence puts nothing at risk there.", gmail.Reason);
    }

    [Fact]
    public void An_ip_that_never_delivered_has_nothing_to_lose()
    {
        var never = QuietIpRule.Assess("T-Online", TOnline, lastDelivered: null, [], Now);

        Assert.Equal(QuietRisk.None, never.Risk);
        Assert.Null(never.NextSendDueAt);
        Assert.Equal("Never delivered to T-Online, so there is no reputation there to lose.", never.Reason);
    }

    [Theory]
    [InlineData("daily", 7)]    // more than three daily sends missed, and a week at least
    [InlineData("weekly", 22)]  // more than three weekly sends missed
    [InlineData("bursty", 79)]
    [InlineData("once", 92)]    // a quarter of T-Online's year
    public void The_next_send_is_due_before_silence_stops_being_usual_for_the_ip(string cadence, int dueAfterDays)
    {
        var last = Now.AddDays(-10).AddHours(-1);

        var assessment = QuietIpRule.Assess("T-Online", TOnline, last, Sends(last, Cadence(cadence)), Now);

        Assert.Equal(last.AddDays(dueAfterDays), assessment.NextSendDueAt);
    }

    [Fact]
    public void A_usual_days_volume_keeps_the_ip_warm()
    {
        var last = Now.AddDays(-21);
        var days = Sends(last, Enumerable.Range(0, 9), perDay: 100).Concat(Sends(last, Enumerable.Range(9, 6), perDay: 40_000));

        Assert.Equal(100, QuietIpRule.Assess("T-Online", TOnline, last, days, Now).KeepWarmMessages);
    }

    [Fact]
    public void Deliveries_before_the_lookback_do_not_set_the_rhythm()
    {
        var last = Now.AddDays(-21).AddHours(-1);
        var oldDailyThenRecentOnce = Sends(last, Enumerable.Range(QuietIpRule.LookbackDays, 60)).Append(new DeliveryDay(DateOnly.FromDateTime(last.UtcDateTime), 5));

        var assessment = QuietIpRule.Assess("T-Online", TOnline, last, oldDailyThenRecentOnce, Now);

        Assert.Null(assessment.UsualCadenceDays);
        Assert.Equal(QuietRisk.None, assessment.Risk);
    }

    [Fact]
    public void The_reason_names_the_cadence_the_silence_and_the_providers_rule()
    {
        var assessment = Assess("daily", 21, TOnline);

        Assert.Equal(
            "Usually delivers to T-Online every day, but has been silent for 21 days (next send was due 2026-05-18); T-Online forgets senders quiet for 365 days, so send about 120 messages (a usual day) now to keep it warm.",
            assessment.Reason);
    }

    [Fact]
    public void A_lost_ip_is_told_to_ask_for_a_reset_before_sending()
    {
        var assessment = Assess("weekly", 400, TOnline);

        Assert.Equal(
            "Usually delivers to T-Online about every 7 days, but has been silent for 400 days, past the 365 days after which T-Online forgets quiet senders: ask T-Online for a reset before sending again.",
            assessment.Reason);
    }

    [Fact]
    public void A_short_reset_period_lowers_the_earliest_risk_below_a_week()
    {
        Assert.Equal(7, QuietIpRule.EarliestRiskDays(TOnline));
        Assert.Equal(3, QuietIpRule.EarliestRiskDays(new QuietSenderReset(10, null, null)));
    }
}

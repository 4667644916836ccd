using Postmaster.Core.Incidents;
using Postmaster.Core.Requests;

namespace Postmaster.Tests.Requests;

/// <summary>PRODUCT.md's "How a request moves its incident", the request's own steps, follow-up dates in business days, and outcomes.</summary>
public class RequestRulesTests
{
    [Theory]
    [InlineData(RequestStatus.Draft, IncidentState.Open, false, IncidentState.Requested)]
    [InlineData(RequestStatus.Draft, IncidentState.AwaitingReply, false, null)]
    [InlineData(RequestStatus.Submitted, IncidentState.Open, false, IncidentState.AwaitingReply)]
    [InlineData(RequestStatus.Submitted, IncidentState.Requested, false, IncidentState.AwaitingReply)]
    [InlineData(RequestStatus.Replied, IncidentState.AwaitingReply, false, null)]
    [InlineData(RequestStatus.Accepted, IncidentState.AwaitingReply, false, null)]
    [InlineData(RequestStatus.Denied, IncidentState.AwaitingReply, false, IncidentState.Open)]
    [InlineData(RequestStatus.Denied, IncidentState.AwaitingReply, true, null)]
    [InlineData(RequestStatus.Submitted, IncidentState.Resolved, false, null)]
    [InlineData(RequestStatus.Denied, IncidentState.WontFix, false, null)]
    public void A_request_moves_its_incident_as_the_table_says(RequestStatus to, IncidentState current, bool othersWaiting, IncidentState? expected) =>
        Assert.Equal(expected, RequestRules.IncidentAfter(to, current, othersWaiting));

    [Theory]
    [InlineData(RequestStatus.Draft, RequestStatus.Submitted, true)]
    [InlineData(RequestStatus.Submitted, RequestStatus.Replied, true)]
    [InlineData(RequestStatus.Replied, RequestStatus.Replied, true)]
    [InlineData(RequestStatus.Replied, RequestStatus.Accepted, true)]
    [InlineData(RequestStatus.Submitted, RequestStatus.Denied, true)]
    [InlineData(RequestStatus.Draft, RequestStatus.Accepted, false)]
    [InlineData(RequestStatus.Accepted, RequestStatus.Denied, false)]
    [InlineData(RequestStatus.Denied, RequestStatus.Submitted, false)]
    [InlineData(RequestStatus.Submitted, RequestStatus.Draft, false)]
    public void A_request_takes_only_its_own_steps(RequestStatus from, RequestStatus to, bool allowed) =>
        Assert.Equal(allowed, RequestRules.Refuse(from, to) is null);

    [Theory]
    [InlineData("2026-12-04T16:00:00Z", 2, "2026-12-08T16:00:00Z")] // Friday + 2 business days: Tuesday
    [InlineData("2026-12-07T09:30:00Z", 3, "2026-12-10T09:30:00Z")] // Monday + 3: Thursday
    [InlineData("2026-12-05T10:00:00Z", 1, "2026-12-08T10:00:00Z")] // Saturday counts from Monday: Tuesday
    [InlineData("2026-12-07T09:30:00Z", 0, "2026-12-07T09:30:00Z")]
    public void Follow_ups_count_business_days_monday_to_friday(string from, int days, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            BusinessDays.Add(DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), days));

    [Fact]
    public void An_auto_expiry_list_is_followed_up_at_its_expiry_not_in_business_days()
    {
        var friday = new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

        Assert.Equal(friday.AddHours(168), RequestRules.FollowUpAt(friday, RequestChannel.AutoExpiry, 3, 168));
        Assert.Equal(new DateTimeOffset(2026, 12, 9, 16, 0, 0, TimeSpan.Zero), RequestRules.FollowUpAt(friday, RequestChannel.WebForm, 3, null));
    }

    [Theory]
    [InlineData(RequestStatus.Submitted, RequestChannel.Email, "reply-overdue")]
    [InlineData(RequestStatus.Submitted, RequestChannel.WebForm, "reply-overdue")]
    [InlineData(RequestStatus.Replied, RequestChannel.Email, "follow-up-due")]
    [InlineData(RequestStatus.Submitted, RequestChannel.AutoExpiry, "follow-up-due")]
    [InlineData(RequestStatus.Submitted, RequestChannel.SelfService, "follow-up-due")]
    public void An_expiry_or_a_self_service_step_is_never_reply_overdue(RequestStatus status, RequestChannel channel, string expected) =>
        Assert.Equal(expected, RequestRules.DueKind(status, channel));

    [Fact]
    public void Outcomes_count_per_provider_and_kind_with_the_median_time_to_the_block_ending()
    {
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        RequestOutcomeFacts Sent(RequestStatus status, double? hoursToEnd, RequestKind kind = RequestKind.Mitigate) =>
            new("microsoft", kind, status, at, hoursToEnd is { } h ? at.AddHours(h) : null);

        var outcomes = RequestOutcome.Of(
        [
            Sent(RequestStatus.Accepted, 20), Sent(RequestStatus.Accepted, 31), Sent(RequestStatus.Accepted, 50), Sent(RequestStatus.Accepted, null),
            Sent(RequestStatus.Denied, null), Sent(RequestStatus.Denied, null), Sent(RequestStatus.Submitted, null), Sent(RequestStatus.Accepted, 5, RequestKind.Delist),
        ]);

        var mitigate = Assert.Single(outcomes, o => o.Kind == RequestKind.Mitigate);
        Assert.Equal((7, 4, 2, TimeSpan.FromHours(31)), (mitigate.Sent, mitigate.Accepted, mitigate.Denied, mitigate.MedianToEnd));
        Assert.Equal("7 requests, 4 accepted, 2 denied, median 31 h", mitigate.Summary());
        Assert.Equal("1 request, 1 accepted, median 5 h", Assert.Single(outcomes, o => o.Kind == RequestKind.Delist).Summary());
    }

    [Fact]
    public void A_follow_up_answers_in_the_thread_with_the_rejections_since_the_request()
    {
        var model = SampleRequestModel.Full("microsoft", "Microsoft", ["microsoft"]);
        var submitted = model.Incident.Samples[1].At.AddMinutes(1);

        var (subject, body) = FollowUpDraft.Compose("Delist 203.0.113.9", submitted, "SRX1234", model);

        Assert.Equal("Re: Delist 203.0.113.9", subject);
        Assert.Contains("this follows up our request of 2026-12-07 07:16 UTC (your reference SRX1234).", body, StringComparison.Ordinal);
        Assert.Contains("is still occurring as of 2026-12-07 09:15 UTC.", body, StringComparison.Ordinal);
        Assert.Contains("Rejections since our request (UTC):\n  2026-12-07 08:15, MX outlook-com.olc.protection.outlook.com, our IP 203.0.113.9:", body, StringComparison.Ordinal);
        Assert.DoesNotContain("(BL)", body, StringComparison.Ordinal); // older than the request
        Assert.Contains("What changed since:\nClosed the open relay", body, StringComparison.Ordinal);
        Assert.Equal("Re: Delist", FollowUpDraft.Compose("Re: Delist", submitted, null, model).Subject);
    }
}

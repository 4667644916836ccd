using Postmaster.Web.Alerts;
using Postmaster.Web.Incidents;

namespace Postmaster.Tests.Alerts;

/// <summary>A rejection in an alert reads as the server sent it: its codes once, never twice.</summary>
public sealed class AlertEvidenceTests
{
    [Theory]
    [InlineData(550, "5.7.1", "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.", "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.")]
    [InlineData(550, "5.7.1", "550-5.7.1 [192.0.2.1] Our system has detected", "550-5.7.1 [192.0.2.1] Our system has detected")]
    [InlineData(550, "5.7.1", "5.7.1 Service unavailable", "5.7.1 Service unavailable")]
    [InlineData(554, null, "Your IP has a bad reputation", "554 Your IP has a bad reputation")]
    [InlineData(421, "4.7.0", "[TSS04] Messages from 192.0.2.1 temporarily deferred", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred")]
    [InlineData(null, null, "blocked using zen.spamhaus.org", "blocked using zen.spamhaus.org")]
    public void A_reply_carries_its_codes_once(int? smtpCode, string? enhancedCode, string response, string expected) =>
        Assert.Equal(expected, AlertContent.Reply(new IncidentSample { SmtpCode = smtpCode, EnhancedCode = enhancedCode, Response = response }));
}

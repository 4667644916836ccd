using Postmaster.Web.Incidents;

namespace Postmaster.Web.Alerts;

/// <summary>The incident an alert is about, as it stood when the message was rendered.</summary>
public sealed record AlertIncident(
    long Id, string Provider, AssetGroupResponse AssetGroup, string State, string Severity, long AffectedCount, string Url);

/// <summary>
/// One alert, ready to be written out: the headline a person reads on a lock screen, what happened,
/// the values, the evidence, the provider's next step and the link to act on it. Every string here
/// may hold text from outside (TXT records, SMTP replies, labels): renderers encode it.
/// </summary>
public sealed record AlertView(
    long AlertId,
    string Kind,
    DateTimeOffset At,
    string Headline,
    string What,
    AlertIncident? Incident,
    IReadOnlyList<string> Values,
    long ValueCount,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<string> NextSteps,
    string Link);

/// <summary>A rendered email: subject, plain text and HTML.</summary>
public sealed record AlertMail(string Subject, string Text, string Html);

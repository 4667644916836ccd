namespace Postmaster.Core.Signals;

/// <summary>How much mail one source IP delivered to one provider on one day (UTC).</summary>
public readonly record struct DeliveryDay(DateOnly Day, long Delivered);

/// <summary>How close a quiet IP is to being forgotten by a provider that resets quiet senders.</summary>
public enum QuietRisk
{
    None,
    Watch,
    High,
    Lost,
}

/// <summary>
/// What <see cref="QuietIpRule"/> made of one (provider, source IP): the risk, how long the IP has
/// been silent, its usual gap between delivery days (null when the history is too thin to show
/// one), when silence stops being normal for it, how much mail a usual day carries, and why.
/// </summary>
public sealed record QuietIpAssessment(
    QuietRisk Risk,
    int QuietDays,
    int? UsualCadenceDays,
    DateTimeOffset? NextSendDueAt,
    long? KeepWarmMessages,
    string Reason);

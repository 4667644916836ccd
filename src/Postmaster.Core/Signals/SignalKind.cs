namespace Postmaster.Core.Signals;

/// <summary>Why a receiver refused or deferred a message, as far as its answer tells.</summary>
public enum SignalKind
{
    IpReputation,
    Blocklist,
    RateLimit,
    Auth,
    Content,
    Policy,
    UserUnknown,
    Other,
}

public enum DeliveryStatus
{
    Delivered,
    Deferred,
    Bounced,
}

public static class SignalNames
{
    public static string ToApi(this SignalKind kind) => kind switch
    {
        SignalKind.IpReputation => "ip-reputation",
        SignalKind.Blocklist => "blocklist",
        SignalKind.RateLimit => "rate-limit",
        SignalKind.Auth => "auth",
        SignalKind.Content => "content",
        SignalKind.Policy => "policy",
        SignalKind.UserUnknown => "user-unknown",
        _ => "other",
    };

    public static SignalKind? ParseKind(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "ip-reputation" => SignalKind.IpReputation,
        "blocklist" => SignalKind.Blocklist,
        "rate-limit" => SignalKind.RateLimit,
        "auth" => SignalKind.Auth,
        "content" => SignalKind.Content,
        "policy" => SignalKind.Policy,
        "user-unknown" => SignalKind.UserUnknown,
        "other" => SignalKind.Other,
        _ => null,
    };

    public static string ToApi(this DeliveryStatus status) => status switch
    {
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Deferred => "deferred",
        _ => "bounced",
    };

    public static DeliveryStatus? ParseStatus(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "delivered" or "sent" or "delivery" => DeliveryStatus.Delivered,
        "deferred" or "transientfailure" or "delayed" => DeliveryStatus.Deferred,
        "bounced" or "bounce" or "failed" => DeliveryStatus.Bounced,
        _ => null,
    };
}

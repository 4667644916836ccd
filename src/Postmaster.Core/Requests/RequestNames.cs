namespace Postmaster.Core.Requests;

/// <summary>What a request asks for (PRODUCT.md, Request).</summary>
public enum RequestKind
{
    Delist,
    Mitigate,
    Reset,
    Explain,
}

/// <summary>
/// How a request reaches the provider: a mail, a web form or portal a person fills in, a
/// self-service removal, or nothing at all (a list that expires by itself: the "request" explains the wait).
/// </summary>
public enum RequestChannel
{
    Email,
    WebForm,
    Portal,
    SelfService,
    AutoExpiry,
}

/// <summary>PRODUCT.md: <c>draft → submitted → replied → accepted | denied</c>.</summary>
public enum RequestStatus
{
    Draft,
    Submitted,
    Replied,
    Accepted,
    Denied,
}

/// <summary>Kinds, channels and statuses as the API, the template files and URLs spell them.</summary>
public static class RequestNames
{
    public const string KindNames = "delist, mitigate, reset, explain";
    public const string ChannelNames = "email, web-form, portal, self-service, auto-expiry";
    public const string StatusNames = "draft, submitted, replied, accepted, denied";

    public static string ToApi(this RequestKind kind) => kind.ToString().ToLowerInvariant();

    public static string ToApi(this RequestStatus status) => status.ToString().ToLowerInvariant();

    public static string ToApi(this RequestChannel channel) => channel switch
    {
        RequestChannel.Email => "email",
        RequestChannel.WebForm => "web-form",
        RequestChannel.Portal => "portal",
        RequestChannel.SelfService => "self-service",
        _ => "auto-expiry",
    };

    public static RequestKind? ParseKind(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "delist" => RequestKind.Delist,
        "mitigate" => RequestKind.Mitigate,
        "reset" => RequestKind.Reset,
        "explain" => RequestKind.Explain,
        _ => null,
    };

    public static RequestChannel? ParseChannel(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "email" => RequestChannel.Email,
        "web-form" => RequestChannel.WebForm,
        "portal" => RequestChannel.Portal,
        "self-service" => RequestChannel.SelfService,
        "auto-expiry" => RequestChannel.AutoExpiry,
        _ => null,
    };

    public static RequestStatus? ParseStatus(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "draft" => RequestStatus.Draft,
        "submitted" => RequestStatus.Submitted,
        "replied" => RequestStatus.Replied,
        "accepted" => RequestStatus.Accepted,
        "denied" => RequestStatus.Denied,
        _ => null,
    };

    /// <summary>Channels a person fills in by hand from the draft's fields and link.</summary>
    public static bool IsForm(this RequestChannel channel) => channel is RequestChannel.WebForm or RequestChannel.Portal or RequestChannel.SelfService;

    /// <summary>Channels where the provider writes back; an expiring list or a self-service removal never does.</summary>
    public static bool ExpectsReply(this RequestChannel channel) => channel is RequestChannel.Email or RequestChannel.WebForm or RequestChannel.Portal;
}

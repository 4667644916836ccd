using System.Security.Claims;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Audit;

/// <summary>
/// Writes audit entries. The actor and client address come from the current request (a signed-in
/// user, an API key); outside a request (scheduled jobs) the actor is <c>system</c>.
/// </summary>
public sealed class AuditTrail(PostmasterDbContext db, IHttpContextAccessor http, TimeProvider time)
{
    public const string System = "system";
    public const string Anonymous = "anonymous";

    /// <summary>Records an action by whoever makes the current request.</summary>
    public Task RecordAsync(string action, string? target, string? detail, CancellationToken ct) =>
        RecordAsAsync(null, action, target, detail, ct);

    /// <summary>
    /// Records an action by a named actor (a sign-in, before the request carries the user). Untrusted
    /// text (an attempted email, a label) is cut to its column here; pages encode it on output.
    /// </summary>
    public async Task RecordAsAsync(string? actor, string action, string? target, string? detail, CancellationToken ct)
    {
        var context = http.HttpContext;
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = ColumnText.Fit(actor ?? ActorOf(context), AuditEntry.MaxActorLength)!,
            Action = ColumnText.Fit(action, AuditEntry.MaxActionLength)!,
            Target = ColumnText.Fit(target, AuditEntry.MaxTargetLength),
            Detail = ColumnText.Fit(detail, AuditEntry.MaxDetailLength),
            ClientAddress = context?.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync(ct);
    }

    public static string UserActor(string? email) => $"user:{email}";

    /// <summary>Who makes the current request, as the audit trail and incident timelines name them.</summary>
    public string CurrentActor() => ActorOf(http.HttpContext);

    private static string ActorOf(HttpContext? context) => context?.User switch
    {
        null => System,
        var user when user.FindFirstValue(AuthClaims.Actor) is { } actor => actor,
        { Identity.IsAuthenticated: true } user => UserActor(user.Identity.Name),
        _ => Anonymous,
    };
}

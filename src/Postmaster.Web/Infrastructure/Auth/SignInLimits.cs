using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// Sign-in attempts per client address: the defence against guessing passwords. A sliding window
/// (six ten-second segments) so that a burst cannot straddle two fresh windows.
/// </summary>
public static class SignInLimits
{
    public static IServiceCollection AddSignInLimits(this IServiceCollection services, AuthOptions options) =>
        services.AddSingleton(_ => new SignInLimiter(options));

    /// <summary>
    /// After routing (the page decides what a sign-in attempt is). Not ASP.NET Core's rate-limiting
    /// middleware: it builds a partitioned limiter of its own that nothing ever disposes, whose timer
    /// keeps a stopped app in memory; this one is the container's, disposed with the app.
    /// </summary>
    public static IApplicationBuilder UseSignInLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!IsSignInAttempt(context.Request))
            {
                await next(context);
                return;
            }

            using var lease = context.RequestServices.GetRequiredService<SignInLimiter>().Limiter.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                await next(context);
                return;
            }

            await RejectAsync(context, lease, context.RequestAborted);
        });

    /// <summary>The sliding windows per client address, owned by the container (their timer stops with the app).</summary>
    public sealed class SignInLimiter(AuthOptions options) : IDisposable
    {
        public PartitionedRateLimiter<HttpContext> Limiter { get; } = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetSlidingWindowLimiter(AddressOf(context), _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = options.SignInAttemptsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 6,
                QueueLimit = 0,
            }));

        public void Dispose() => Limiter.Dispose();
    }

    // By the routed page, not the path: /login, /Account/Login, /LOGIN/ all reach the same form.
    private static bool IsSignInAttempt(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.RouteValues["page"] is "/Account/Login";

    private static string AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async Task RejectAsync(HttpContext context, RateLimitLease lease, CancellationToken ct)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? (int)Math.Ceiling(retryAfter.TotalSeconds)
            : 60;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInLimits))
            .LogWarning("Sign-in attempt from {ClientAddress} refused: too many attempts, retry in {Seconds} s", AddressOf(context), seconds);

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><title>Too many sign-in attempts · Postmaster</title>
            <link rel="stylesheet" href="/css/site.css" /></head>
            <body><main><div class="card narrow">
            <h1>Too many sign-in attempts</h1>
            <p>Too many sign-in attempts came from your address ({WebUtility.HtmlEncode(AddressOf(context))}). Try again in {seconds} seconds.</p>
            <p><a href="/login">Back to sign-in</a></p>
            </div></main></body></html>
            """,
            ct);
    }
}

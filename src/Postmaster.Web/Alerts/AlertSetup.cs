using System.Net;
using Microsoft.Extensions.Options;
using Postmaster.Core.Alerts;
using Postmaster.Web.Infrastructure.Http;
using Postmaster.Web.Infrastructure.Mail;
using Quartz;

namespace Postmaster.Web.Alerts;

public static class AlertSetup
{
    /// <summary>The outbox, its delivery (SMTP, webhooks), subscriptions and the settings that drive them, checked at start-up.</summary>
    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var alerts = builder.Configuration.GetSection(AlertOptions.Section).Get<AlertOptions>() ?? new AlertOptions();
        if (alerts.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        services.Configure<AlertOptions>(builder.Configuration.GetSection(AlertOptions.Section));
        services.AddOptions<AlertRetentionOptions>()
            .Bind(builder.Configuration.GetSection(AlertRetentionOptions.Section))
            .Validate(o => o.OutboxDays >= 1, "Postmaster:Retention:OutboxDays must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<AlertTrigger>();
        services.AddScoped<AlertTurns>();
        services.AddScoped<AlertTargets>();
        services.AddScoped<AlertContent>();
        services.AddScoped<AlertDispatcher>();
        services.AddScoped<AlertQueries>();
        services.AddScoped<AlertSettings>();
        services.AddSingleton<AlertMailer>();
        services.AddSingleton<AlertWebhooks>();
        services.AddHttpClient(AlertWebhooks.ClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(sp => AlertWebhooks.Handler(sp.GetRequiredService<IOptions<AlertOptions>>().Value.AllowPrivateWebhookTargets))
            .RemoveAllLoggers(); // the default loggers write the URL, and a Slack webhook's path is its secret
        services.AddHostedService<AlertStartup>();
        return builder;
    }

    /// <summary>Delivery catch-up, the quiet-IP check and the nightly clean-up, declared with the other schedules.</summary>
    public static void AddAlertSchedule(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var options = configuration.GetSection(AlertOptions.Section).Get<AlertOptions>() ?? new AlertOptions();
        quartz.ScheduleJob<AlertDeliveryJob>(
            t => t.WithIdentity("alert-delivery", "alerts").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Clamp(options.CatchUpSeconds, 1, 3600))).RepeatForever()),
            j => j.WithIdentity("alert-delivery", "alerts"));
        quartz.ScheduleJob<QuietIpAlertJob>(
            t => t.WithIdentity("quiet-ip-alerts", "alerts").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(Math.Clamp(options.QuietCheckMinutes, 1, 10080))).RepeatForever()),
            j => j.WithIdentity("quiet-ip-alerts", "alerts"));
        quartz.ScheduleJob<AlertRetentionJob>(
            t => t.WithIdentity("alert-retention", "alerts").WithCronSchedule("0 50 3 * * ?"),
            j => j.WithIdentity("alert-retention", "alerts"));
    }
}

/// <summary>Says at start-up what an operator would otherwise find out from a useless alert.</summary>
internal sealed class AlertStartup(IOptions<AlertOptions> alerts, IOptions<SmtpOptions> smtp, PublicLinks links, ILogger<AlertStartup> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var on = smtp.Value.Configured || alerts.Value.Webhooks.Count > 0;
        if (on && links.Base is null)
        {
            log.LogWarning("{Key} is not set: links in alert mail and webhooks are relative (/incidents/12) and will not open from a mail client. "
                + "Set it to the address people use, e.g. https://postmaster.example.com", PublicLinks.Key);
        }

        if (!smtp.Value.Configured && alerts.Value.RecipientAddresses().Count > 0)
        {
            log.LogWarning("Postmaster:Alerts:Recipients is set but Postmaster:Smtp:Host is not: alerts are shown on the web UI only, no mail is sent");
        }

        for (var i = 0; i < alerts.Value.Webhooks.Count; i++)
        {
            var hook = alerts.Value.Webhooks[i];
            if (!hook.IsSlack && string.IsNullOrEmpty(hook.Secret))
            {
                log.LogWarning("Postmaster:Alerts:Webhooks:{Index} has no Secret: its calls are not signed, so the receiver cannot tell them from forged ones", i);
            }

            if (!alerts.Value.AllowPrivateWebhookTargets && Uri.TryCreate(hook.Url, UriKind.Absolute, out var uri)
                && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && AddressScope.IsInternal(ip))
            {
                log.LogWarning("Postmaster:Alerts:Webhooks:{Index} points at {Address}, a loopback or private address: its calls will be refused unless "
                    + "Postmaster:Alerts:AllowPrivateWebhookTargets is true", i, ip);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Postmaster.Web.Infrastructure.Mail;

/// <summary>
/// Binds <c>Postmaster:Smtp</c>: the relay all outgoing mail (delisting requests, alerts) goes through.
/// It is never one of the monitored sending IPs' own MTAs by design: a request about a blocked IP
/// must not be refused by the very block it is about.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Postmaster:Smtp";

    public string? Host { get; set; }

    /// <summary>0: the usual port of the security chosen (587 for starttls, 465 for ssl, 25 for none).</summary>
    public int Port { get; set; }

    public string? From { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary><c>none</c>, <c>starttls</c> or <c>ssl</c>, case-insensitive.</summary>
    public string Security { get; set; } = "starttls";

    /// <summary>Seconds for connecting and each command.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    public string SecurityName => Security.Trim().ToLowerInvariant();

    public int EffectivePort => Port > 0 ? Port : SecurityName switch
    {
        "ssl" => 465,
        "none" => 25,
        _ => 587,
    };

    public SecureSocketOptions SocketOptions => SecurityName switch
    {
        "none" => SecureSocketOptions.None,
        "ssl" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    /// <summary>What is wrong with the settings, one sentence naming the key each; empty when usable (or not set at all).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SecurityName is not ("none" or "starttls" or "ssl"))
        {
            problems.Add($"{Section}:Security is '{Security}'; use none, starttls or ssl.");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"{Section}:Port {Port} is not a TCP port (0 or unset: the usual one for the security chosen).");
        }

        if (From is { Length: > 0 } from && !MailboxAddress.TryParse(from, out _))
        {
            problems.Add($"{Section}:From '{from}' is not an email address.");
        }
        else if (Configured && string.IsNullOrWhiteSpace(From))
        {
            problems.Add($"{Section}:From must be set when {Section}:Host is: the address alert mail (and, unless Postmaster:Requests:From says otherwise, request mail) comes from.");
        }

        if (TimeoutSeconds is < 1 or > 600)
        {
            problems.Add($"{Section}:TimeoutSeconds must be from 1 to 600 (it is {TimeoutSeconds}).");
        }

        if (Configured && SecurityName == "none" && (!string.IsNullOrEmpty(Password) || !string.IsNullOrEmpty(UserName)) && !LoopbackHost.Is(Host!))
        {
            problems.Add($"{Section}:Security \"none\" would send the password in clear to {Host}; use starttls or ssl (none is for a relay on loopback).");
        }

        return problems;
    }

    /// <summary>Connects and signs in (when a user name is set); the caller sends and disconnects.</summary>
    public async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(Host ?? throw new InvalidOperationException($"{Section}:Host is not set."), EffectivePort, SocketOptions, ct);
            if (!string.IsNullOrEmpty(UserName))
            {
                await client.AuthenticateAsync(UserName, Password ?? "", ct);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

}

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

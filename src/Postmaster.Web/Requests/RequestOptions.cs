using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MimeKit;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Requests;

/// <summary>Binds <c>Postmaster:Requests</c>.</summary>
public sealed class RequestOptions
{
    public const string Section = "Postmaster:Requests";

    /// <summary>The sender of delisting requests; <c>Postmaster:Smtp:From</c> when not set.</summary>
    public string? From { get; set; }

    /// <summary>Where providers' replies go (the mailbox of <see cref="Imap"/>, if it is read); the sender when not set.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The mailbox where provider replies arrive; they are matched to their request by Message-ID. Another one than the bounce mailbox.</summary>
    public ImapSource Imap { get; set; } = new();

    [Range(5, 86_400, ErrorMessage = "Postmaster:Requests:ImapPollSeconds must be between 5 and 86400.")]
    public int ImapPollSeconds { get; set; } = 300;

    /// <summary>How often follow-ups falling due are looked for.</summary>
    [Range(1, 3_600, ErrorMessage = "Postmaster:Requests:FollowUpScanSeconds must be between 1 and 3600.")]
    public int FollowUpScanSeconds { get; set; } = 60;
}

public sealed class RequestOptionsValidator : IValidateOptions<RequestOptions>
{
    public ValidateOptionsResult Validate(string? name, RequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        foreach (var (key, value) in new[] { ("From", options.From), ("ReplyTo", options.ReplyTo) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !MailboxAddress.TryParse(value, out _))
            {
                problems.Add($"{RequestOptions.Section}:{key} '{value}' is not an email address.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Imap.Host) && options.Imap.Security.Trim().ToLowerInvariant() is not ("none" or "starttls" or "ssl"))
        {
            problems.Add($"{RequestOptions.Section}:Imap:Security is '{options.Imap.Security}'; use ssl, starttls or none (loopback only).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

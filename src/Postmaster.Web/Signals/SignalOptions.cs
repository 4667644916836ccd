using System.ComponentModel.DataAnnotations;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Postmaster.Web.Infrastructure.Mail;

namespace Postmaster.Web.Signals;

/// <summary>When rejections of a kind amount to a block, and when the block is over.</summary>
public sealed class EpisodeRule
{
    /// <summary>Rejections of the kind from one provider to one source IP within the window that open an episode.</summary>
    [Range(1, 1_000_000)]
    public int Threshold { get; set; } = 3;

    [Range(1, 10_080)]
    public int WindowMinutes { get; set; } = 60;

    /// <summary>An episode ends after this long without such rejections.</summary>
    [Range(1, 43_200)]
    public int QuietMinutes { get; set; } = 240;
}

public sealed class LogFileSource
{
    [Required]
    public string Path { get; set; } = "";

    [Required]
    public string Format { get; set; } = "postfix";
}

public sealed class ImapSource
{
    public string? Host { get; set; }

    public int Port { get; set; } = 993;

    /// <summary>"ssl" (port 993), "starttls" or "none" (loopback only).</summary>
    public string Security { get; set; } = "ssl";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string Folder { get; set; } = "INBOX";

    /// <summary>Skip certificate validation: for a self-signed test server only.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>
    /// Connects <paramref name="client"/>, signs in and opens the folder read-write. Both mailboxes
    /// (bounces, request replies) read through this; <paramref name="section"/> names their settings
    /// in errors (<c>Postmaster:Signals:Imap</c>, <c>Postmaster:Requests:Imap</c>).
    /// </summary>
    public async Task<IMailFolder> OpenFolderAsync(ImapClient client, string section, CancellationToken ct)
    {
        if (AcceptAnyCertificate)
        {
#pragma warning disable CA5359 // Opt-in, documented as for a self-signed test server only.
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        var host = Host ?? throw new InvalidOperationException($"{section}:Host is not set.");
        var security = Security.Trim().ToLowerInvariant() switch
        {
            "none" when LoopbackHost.Is(host) => SecureSocketOptions.None,
            "none" => throw new InvalidOperationException($"{section}:Security \"none\" sends the password in clear; it is only allowed to a loopback host, not {host}."),
            "starttls" => SecureSocketOptions.StartTls,
            "ssl" => SecureSocketOptions.SslOnConnect,
            _ => throw new InvalidOperationException($"{section}:Security is '{Security}'; use ssl, starttls or none (loopback only)."),
        };
        await client.ConnectAsync(host, Port, security, ct);
        await client.AuthenticateAsync(UserName ?? "", Password ?? "", ct);
        var folder = await client.GetFolderAsync(Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        return folder;
    }
}

/// <summary>Binds <c>Postmaster:Signals</c>.</summary>
public sealed class SignalOptions
{
    public const string Section = "Postmaster:Signals";

    /// <summary>Per kind (API names). Kinds without a rule (user-unknown, other) never open episodes.</summary>
    public Dictionary<string, EpisodeRule> Episodes { get; set; } = new(StringComparer.Ordinal)
    {
        ["ip-reputation"] = new() { Threshold = 3 },
        ["blocklist"] = new() { Threshold = 3 },
        ["auth"] = new() { Threshold = 5 },
        ["content"] = new() { Threshold = 10 },
        ["policy"] = new() { Threshold = 10 },
        ["rate-limit"] = new() { Threshold = 25, QuietMinutes = 120 },
    };

    [Range(1, 1000)]
    public int SamplesPerProviderAndKind { get; set; } = 20;

    public List<LogFileSource> LogFiles { get; set; } = [];

    [Range(5, 86_400)]
    public int LogPollSeconds { get; set; } = 60;

    public ImapSource Imap { get; set; } = new();

    [Range(30, 86_400)]
    public int ImapPollSeconds { get; set; } = 300;

    /// <summary>Largest upload to the ingest calls; a busy server's day of logs is hundreds of MB.</summary>
    public long MaxUploadBytes { get; set; } = 4L * 1024 * 1024 * 1024;
}

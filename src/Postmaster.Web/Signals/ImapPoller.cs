using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;

namespace Postmaster.Web.Signals;

/// <summary>
/// Polls a bounce mailbox over IMAP (MailKit): every unseen message is parsed as a bounce, its
/// outcomes recorded, and the message flagged \Seen so it is read once. Oversized and unreadable
/// messages are counted as malformed, never retried forever.
/// </summary>
public sealed class ImapPoller(SignalIngestor ingestor, IOptions<SignalOptions> options, ILogger<ImapPoller> log)
{
    public const int MaxMessagesPerPoll = 500;

    public async Task<IngestCounter?> PollAsync(CancellationToken ct)
    {
        var imap = options.Value.Imap;
        if (string.IsNullOrWhiteSpace(imap.Host))
        {
            return null;
        }

        using var client = new ImapClient();
        var folder = await imap.OpenFolderAsync(client, $"{SignalOptions.Section}:Imap", ct);

        var counter = new IngestCounter();
        var outcomes = new List<DeliveryOutcome>();
        var uids = (await folder.SearchAsync(SearchQuery.NotSeen, ct)).Take(MaxMessagesPerPoll).ToList();
        var sizes = (await folder.FetchAsync(uids, MessageSummaryItems.Size | MessageSummaryItems.UniqueId, ct)).ToDictionary(s => s.UniqueId, s => s.Size ?? 0);
        foreach (var uid in uids)
        {
            if (sizes.GetValueOrDefault(uid) > BounceParser.MaxMessageBytes)
            {
                counter.AddMalformed(uid.Id, $"Message is larger than {BounceParser.MaxMessageBytes / (1024 * 1024)} MB; not read.", null);
            }
            else
            {
                await using var stream = await folder.GetStreamAsync(uid, ct);
                var report = BounceParser.Parse(stream, ct);
                if (report.IsBounce)
                {
                    outcomes.AddRange(report.Recipients.Select(BounceParser.ToOutcome));
                }
                else
                {
                    counter.Ignored++;
                }
            }

        }

        if (uids.Count > 0)
        {
            // Flag only once the outcomes are stored: a poll that fails before then reads the messages again.
            await ingestor.IngestAsync(outcomes.ToAsyncEnumerable(), counter, $"imap:{imap.Host}/{imap.Folder}", ct);
            await folder.AddFlagsAsync(uids, MessageFlags.Seen, silent: true, ct);
        }

        await client.DisconnectAsync(quit: true, ct);
        log.LogInformation("IMAP {Host}/{Folder}: {Messages} messages, {Outcomes} outcomes", imap.Host, imap.Folder, uids.Count, outcomes.Count);
        return counter;
    }
}

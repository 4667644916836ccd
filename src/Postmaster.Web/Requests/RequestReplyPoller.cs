using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Requests;

/// <summary>What one poll of the reply mailbox did.</summary>
public sealed record ReplyPoll(int Read, int Matched, int Unmatched);

/// <summary>
/// Reads provider replies from the mailbox <c>Postmaster:Requests:Imap:*</c> (MailKit): a message
/// whose <c>In-Reply-To</c> or <c>References</c> names a request's Message-ID is recorded as that
/// request's reply and flagged \Seen. Any other mail there is left unread for a person, tagged so
/// the next poll does not read it again. The bounce mailbox is another one (Signals).
/// </summary>
public sealed class RequestReplyPoller(PostmasterDbContext db, RequestTracking tracking, IOptions<RequestOptions> options, ILogger<RequestReplyPoller> log)
{
    public const int MaxMessagesPerPoll = 200;
    public const long MaxMessageBytes = 10 * 1024 * 1024;

    /// <summary>The IMAP keyword that marks mail looked at and not a reply to any request.</summary>
    public const string Unmatched = "PostmasterUnmatched";

    public async Task<ReplyPoll?> PollAsync(CancellationToken ct)
    {
        var imap = options.Value.Imap;
        if (string.IsNullOrWhiteSpace(imap.Host))
        {
            return null;
        }

        using var client = new ImapClient();
        var folder = await imap.OpenFolderAsync(client, $"{RequestOptions.Section}:Imap", ct);

        // \* in PERMANENTFLAGS (RFC 3501): the server keeps keywords the client makes up.
        var canTag = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined);
        var query = canTag ? SearchQuery.NotSeen.And(SearchQuery.NotKeyword(Unmatched)) : SearchQuery.NotSeen;
        var uids = (await folder.SearchAsync(query, ct)).Take(MaxMessagesPerPoll).ToList();
        var summaries = uids.Count == 0
            ? []
            : await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Headers, ct);
        var (matched, unmatched) = (new List<UniqueId>(), new List<UniqueId>());
        foreach (var summary in summaries)
        {
            var request = summary.Headers is null ? null : await RequestAnsweredAsync(summary.Headers, ct);
            if (request is null || (summary.Size ?? 0) > MaxMessageBytes)
            {
                unmatched.Add(summary.UniqueId);
                continue;
            }

            var message = await folder.GetMessageAsync(summary.UniqueId, ct);
            var from = message.From.Mailboxes.FirstOrDefault()?.Address;
            var result = await tracking.ChangeAsync(request.Value, new RequestChange(ReplyText: Text(message)), ct,
                actor: Audit.AuditTrail.System, how: $"read from the mailbox {imap.Folder}", replyFrom: from);
            if (result.Outcome != RequestOutcomeKind.Done)
            {
                log.LogWarning("A reply to request {RequestId} was not recorded: {Problem}", request, result.Problem);
            }

            matched.Add(summary.UniqueId);
        }

        // Flag only once the replies are stored: a poll that fails before then reads them again.
        if (matched.Count > 0)
        {
            await folder.AddFlagsAsync(matched, MessageFlags.Seen, silent: true, ct);
        }

        if (unmatched.Count > 0 && canTag)
        {
            await folder.StoreAsync(unmatched, new StoreFlagsRequest(StoreAction.Add, MessageFlags.None) { Keywords = { Unmatched }, Silent = true }, ct);
        }

        await client.DisconnectAsync(quit: true, ct);
        log.LogInformation("Reply mailbox {Host}/{Folder}: {Messages} messages, {Matched} replies to requests", imap.Host, imap.Folder, uids.Count, matched.Count);
        return new ReplyPoll(uids.Count, matched.Count, unmatched.Count);
    }

    /// <summary>The request a message answers: the newest whose Message-ID its In-Reply-To or References name.</summary>
    private async Task<long?> RequestAnsweredAsync(HeaderList headers, CancellationToken ct)
    {
        var ids = new List<string>();
        if (headers[HeaderId.InReplyTo] is { } inReplyTo)
        {
            ids.AddRange(MimeKit.Utils.MimeUtils.EnumerateReferences(inReplyTo));
        }

        if (headers[HeaderId.References] is { } references)
        {
            ids.AddRange(MimeKit.Utils.MimeUtils.EnumerateReferences(references));
        }

        ids = [.. ids.Where(id => id.Length <= 300).Distinct(StringComparer.Ordinal).Take(50)];
        if (ids.Count == 0)
        {
            return null;
        }

        return await db.Requests.AsNoTracking().Where(r => r.MessageId != null && ids.Contains(r.MessageId))
            .OrderByDescending(r => r.Id).Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The reply as text: its plain part, else its HTML part as text. Shown encoded, never as markup.</summary>
    private static string Text(MimeMessage message)
    {
        var text = message.TextBody ?? (message.HtmlBody is { } html ? HtmlText(html) : "");
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        return text.Length == 0 ? "(the reply has no text)" : text.Length > ProviderRequest.MaxReply ? text[..ProviderRequest.MaxReply] : text;
    }

    /// <summary>The text of an HTML-only reply: its text runs, a line break for each block; no markup survives.</summary>
    private static string HtmlText(string html)
    {
        var text = new System.Text.StringBuilder();
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var skip = 0;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head:
                    skip = Math.Max(0, skip + (tag.IsEndTag ? -1 : tag.IsEmptyElement ? 0 : 1));
                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.Br or HtmlTagId.P or HtmlTagId.Div or HtmlTagId.BlockQuote:
                    text.Append('\n');
                    break;
                case HtmlDataToken data when skip == 0:
                    text.Append(System.Net.WebUtility.HtmlDecode(data.Data));
                    break;
            }
        }

        return text.ToString();
    }
}

using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Web.Signals;

/// <summary>The paste box: classify replies, log lines or a bounce without storing anything.</summary>
public sealed class TryModel(ResponseClassifier classifier) : PageModel
{
    public const int MaxTextLength = 1_000_000;
    public const int MaxRows = 2000;

    public static readonly (string Value, string Label)[] Formats =
    [
        ("reply", "SMTP replies, one per line"),
        ("postfix", "Postfix log lines"),
        ("exim", "Exim log lines"),
        ("kumomta", "KumoMTA log records"),
        ("bounce", "a whole bounce message"),
    ];

    public sealed record Row(long Line, string Status, string? RecipientDomain, string? Provider, string? Kind, string? Blocklist, string? Rule, string? Response);

    [BindProperty]
    public string Format { get; set; } = "reply";

    [BindProperty]
    public string? Text { get; set; }

    [BindProperty]
    public string? RecipientDomain { get; set; }

    [BindProperty]
    public string? Mx { get; set; }

    public List<Row> Rows { get; } = [];

    public string? Error { get; private set; }

    public string? Note { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            Error = "Paste something to classify.";
            return;
        }

        if (Text.Length > MaxTextLength)
        {
            Error = $"That is {Text.Length:N0} characters; paste at most {MaxTextLength:N0} here, or upload big logs to POST /api/signals/log.";
            return;
        }

        if (Format == "bounce")
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Text));
            var report = BounceParser.Parse(stream, ct);
            if (!report.IsBounce)
            {
                Note = $"Not a bounce: {report.NotABounceBecause}";
            }

            foreach (var recipient in report.Recipients)
            {
                Add(0, BounceParser.ToOutcome(recipient));
            }

            return;
        }

        if (Format == "reply")
        {
            var number = 0;
            foreach (var line in Text.ReplaceLineEndings("\n").Split('\n'))
            {
                number++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    Add(number, new DeliveryOutcome(DeliveryStatus.Bounced, RecipientDomain: RecipientDomain, Mx: Mx, Response: line.Trim()));
                }
            }

            return;
        }

        if (!LogFormats.TryGet(Format, out var parser))
        {
            Error = "Pick what you pasted.";
            return;
        }

        using var body = new MemoryStream(Encoding.UTF8.GetBytes(Text));
        var skipped = 0;
        await foreach (var line in LogLineReader.ReadAsync(body, ct))
        {
            var result = parser.Parse(line.Text);
            if (result.Outcome is { } outcome)
            {
                Add(line.Number, outcome);
            }
            else if (result.Kind == LogLineKind.Malformed)
            {
                Rows.Add(new Row(line.Number, "malformed", null, null, null, null, null, result.Error));
            }
            else
            {
                skipped++;
            }
        }

        Note = skipped > 0 ? $"{skipped} lines are not delivery outcomes (connections, queue management…) and were skipped." : null;
    }

    private void Add(long line, DeliveryOutcome outcome)
    {
        if (Rows.Count >= MaxRows)
        {
            return;
        }

        var c = classifier.Classify(outcome);
        Rows.Add(new Row(line, outcome.Status.ToApi(), outcome.RecipientDomain, c.Provider, c.Kind?.ToApi(), c.Blocklist, c.MatchedRule, outcome.Response));
    }
}

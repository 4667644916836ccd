using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals;

/// <summary>Turns request bodies into outcomes, streaming, counting what cannot be read instead of failing.</summary>
public static class SignalSources
{
    public static async IAsyncEnumerable<DeliveryOutcome> FromJsonArray(Stream body, IngestCounter counter, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var element in JsonArrayReader.ReadAsync(body, ct))
        {
            var (outcome, error) = element.Problem is null ? Read(element.Json) : (null, element.Problem);
            if (outcome is null)
            {
                counter.AddMalformed(element.Number, error!, Excerpt(element.Json));
                continue;
            }

            yield return outcome;
        }
    }

    public static async IAsyncEnumerable<DeliveryOutcome> FromNdjson(Stream body, IngestCounter counter, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in Postmaster.Core.Signals.Logs.LogLineReader.ReadAsync(body, ct))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            if (line.Truncated)
            {
                counter.AddMalformed(line.Number, "The line is too long to be a signal.", line.Text);
                continue;
            }

            var (outcome, error) = line.InvalidUtf8 ? (null, InvalidUtf8) : Read(line.Text);
            if (outcome is null)
            {
                counter.AddMalformed(line.Number, error!, line.Text);
                continue;
            }

            yield return outcome;
        }
    }

    public static async IAsyncEnumerable<DeliveryOutcome> FromLog(Stream body, Postmaster.Core.Signals.Logs.ILogLineParser parser, IngestCounter counter, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in Postmaster.Core.Signals.Logs.LogLineReader.ReadAsync(body, ct))
        {
            var result = parser.Parse(line.Text);
            switch (result.Kind)
            {
                case Postmaster.Core.Signals.Logs.LogLineKind.Outcome when result.Outcome is { } outcome:
                    yield return outcome;
                    break;
                case Postmaster.Core.Signals.Logs.LogLineKind.Malformed:
                    counter.AddMalformed(line.Number, line.Truncated ? "Line too long." : result.Error ?? "Unreadable line.", line.Text);
                    break;
                default:
                    counter.Ignored++;
                    break;
            }
        }
    }

    private const string InvalidUtf8 = "The signal is not valid UTF-8 text (RFC 8259 §8.1); it was skipped.";

    private static readonly JsonDocumentOptions ElementOptions = new() { MaxDepth = 16 };

    private static (DeliveryOutcome? Outcome, string? Error) Read(ReadOnlyMemory<byte> json) =>
        Utf8.IsValid(json.Span) ? Parse(() => JsonDocument.Parse(json, ElementOptions)) : (null, InvalidUtf8);

    private static (DeliveryOutcome? Outcome, string? Error) Read(string json) => Parse(() => JsonDocument.Parse(json, ElementOptions));

    private static (DeliveryOutcome? Outcome, string? Error) Parse(Func<JsonDocument> parse)
    {
        try
        {
            using var document = parse();
            return SignalInput.Read(document.RootElement);
        }
        catch (JsonException e)
        {
            return (null, $"Not JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") parses but is no text.
            return (null, InvalidUtf8);
        }
    }

    private static string Excerpt(ReadOnlyMemory<byte> json) =>
        System.Text.Encoding.UTF8.GetString(json.Span[..Math.Min(json.Length, IngestCounter.MaxExcerpt * 4)]);
}

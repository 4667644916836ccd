using System.Runtime.CompilerServices;
using System.Text.Json;
using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals;

/// <summary>Turns request bodies into outcomes, streaming, counting what cannot be read instead of failing.</summary>
public static class SignalSources
{
    public static async IAsyncEnumerable<DeliveryOutcome> FromJsonArray(Stream body, IngestCounter counter, [EnumeratorCancellation] CancellationToken ct)
    {
        var index = 0L;
        await using var items = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: ct).GetAsyncEnumerator(ct);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync())
                {
                    break;
                }
            }
            catch (JsonException e)
            {
                counter.AddMalformed(index + 1, $"The JSON stops being a valid array here ({e.Message}); signals before it were kept.", null);
                break;
            }

            index++;
            var (outcome, error) = SignalInput.Read(items.Current);
            if (outcome is null)
            {
                counter.AddMalformed(index, error!, items.Current.GetRawText());
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

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line.Text, new JsonDocumentOptions { MaxDepth = 16 });
            }
            catch (JsonException e)
            {
                counter.AddMalformed(line.Number, $"Not JSON: {e.Message}", line.Text);
                continue;
            }

            using (document)
            {
                var (outcome, error) = SignalInput.Read(document.RootElement);
                if (outcome is null)
                {
                    counter.AddMalformed(line.Number, error!, line.Text);
                    continue;
                }

                yield return outcome;
            }
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
}

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Postmaster.Core.Signals.Logs;

/// <summary>
/// Reads KumoMTA's JSON log records, one per line (https://docs.kumomta.com/reference/log_record/):
/// <c>type</c> <c>Delivery</c> is delivered, <c>Bounce</c> bounced, <c>TransientFailure</c> deferred, and an
/// <c>OOB</c> record (an asynchronous bounce report) with a 5xx code bounced. <c>Reception</c>, <c>Expiration</c>
/// (the last <c>TransientFailure</c> already counted that recipient), <c>AdminBounce</c>, <c>Feedback</c>,
/// <c>Rejection</c>, <c>Delay</c>, types added later, and deliveries by a non-SMTP protocol (Maildir, Lua) are
/// <see cref="LogLineKind.Ignored"/>.
/// <para>
/// Fields: <c>recipient</c> (a string, or the first of an array), <c>timestamp</c> (unix seconds),
/// <c>response</c> {<c>code</c>, <c>enhanced_code</c> {class, subject, detail}, <c>content</c>}, <c>peer_address</c>
/// {<c>name</c>: the MX} and <c>source_address</c> {<c>address</c>: "ip:port", the egress address}. The response
/// is rebuilt as "code class.subject.detail content", the form provider rules are written against.
/// </para>
/// </summary>
public sealed class KumoMtaLogParser : ILogLineParser
{
    /// <summary>A record is a flat object with a few nested ones (response, meta, headers, feedback_report); anything deeper is not one.</summary>
    private const int MaxDepth = 16;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    public LogLineResult Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.AsSpan().Trim();
        if (text.IsEmpty)
        {
            return LogLineResult.Ignored;
        }

        if (text[0] != '{')
        {
            return LogLineResult.Malformed("not a JSON object");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return ParseRecord(buffer.AsSpan(0, length));
        }
        catch (JsonException)
        {
            return LogLineResult.Malformed("invalid JSON");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static LogLineResult ParseRecord(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return LogLineResult.Malformed("not a JSON object");
        }

        var record = default(Record);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                record.Type = reader.TokenType == JsonTokenType.String ? TypeOf(ref reader) : RecordType.Invalid;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("recipient"u8))
            {
                reader.Read();
                record.Recipient = ReadRecipient(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                record.Time = ReadTime(ref reader);
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                reader.Read();
                ReadResponse(ref reader, ref record);
            }
            else if (reader.ValueTextEquals("peer_address"u8))
            {
                reader.Read();
                record.Mx = ReadObjectString(ref reader, "name"u8, LogFieldLimits.MaxHostLength);
            }
            else if (reader.ValueTextEquals("source_address"u8))
            {
                reader.Read();
                record.Source = ReadObjectString(ref reader, "address"u8, LogFieldLimits.MaxIpLength + 8);
            }
            else if (reader.ValueTextEquals("delivery_protocol"u8))
            {
                reader.Read();
                record.NonSmtp = reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals("ESMTP"u8) && !reader.ValueTextEquals("SMTP"u8);
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return LogLineResult.Malformed("invalid JSON");
        }

        DeliveryStatus status;
        switch (record.Type)
        {
            case RecordType.Missing:
                return LogLineResult.Malformed("no type");
            case RecordType.Invalid:
                return LogLineResult.Malformed("type is not a string");
            case RecordType.Delivery:
                status = DeliveryStatus.Delivered;
                break;
            case RecordType.Bounce:
                status = DeliveryStatus.Bounced;
                break;
            case RecordType.TransientFailure:
                status = DeliveryStatus.Deferred;
                break;
            case RecordType.Oob when record.Code is >= 500 and < 600:
                status = DeliveryStatus.Bounced;
                break;
            default:
                return LogLineResult.Ignored;
        }

        if (record.NonSmtp)
        {
            return LogLineResult.Ignored;
        }

        if (record.Recipient is null)
        {
            return LogLineResult.Malformed("no recipient");
        }

        if (!LogText.TryRecipient(record.Recipient, out var recipient, out var domain, out var error))
        {
            return LogLineResult.Malformed(error!);
        }

        var code = record.Code is >= 200 and < 600 ? record.Code : null;
        var mx = record.Type == RecordType.Oob ? null : LogText.Host(record.Mx);
        var sourceIp = record.Source is null ? null : LogText.IpAddress(LogText.WithoutPort(record.Source));
        return LogLineResult.Of(new DeliveryOutcome(status, record.Time, sourceIp, recipient, domain, mx, code, record.Enhanced, Reply(code, record.Enhanced, record.Content)));
    }

    private static RecordType TypeOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("Delivery"u8) ? RecordType.Delivery
        : reader.ValueTextEquals("Bounce"u8) ? RecordType.Bounce
        : reader.ValueTextEquals("TransientFailure"u8) ? RecordType.TransientFailure
        : reader.ValueTextEquals("OOB"u8) ? RecordType.Oob
        : RecordType.Other;

    private static string? ReadRecipient(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return BoundedString(ref reader, LogFieldLimits.MaxRecipientLength + 1);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        // Batched records list several recipients; the first stands for the record.
        string? first = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (first is null && reader.TokenType == JsonTokenType.String)
            {
                first = BoundedString(ref reader, LogFieldLimits.MaxRecipientLength + 1);
            }
            else
            {
                reader.Skip();
            }
        }

        return first;
    }

    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
    {
        // Seconds since the epoch; bounded to years 1970–9999 so the conversion cannot throw.
        const long MaxSeconds = 253_402_300_799;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var seconds) && seconds is >= 0 and <= MaxSeconds)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            if (reader.TryGetDouble(out var real) && real is >= 0 and <= MaxSeconds)
            {
                return DateTimeOffset.UnixEpoch.AddTicks((long)(real * TimeSpan.TicksPerSecond));
            }

            return null;
        }

        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 40 && reader.TryGetDateTimeOffset(out var time))
        {
            return time.ToUniversalTime();
        }

        reader.Skip();
        return null;
    }

    private static void ReadResponse(ref Utf8JsonReader reader, ref Record record)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                record.Code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code) ? code : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("enhanced_code"u8))
            {
                reader.Read();
                record.Enhanced = ReadEnhancedCode(ref reader);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                record.Content = reader.TokenType == JsonTokenType.String ? BoundedString(ref reader, LogFieldLimits.MaxResponseLength) : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static string? ReadEnhancedCode(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int? @class = null, subject = null, detail = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref var target = ref @class;
            if (reader.ValueTextEquals("subject"u8))
            {
                target = ref subject;
            }
            else if (reader.ValueTextEquals("detail"u8))
            {
                target = ref detail;
            }
            else if (!reader.ValueTextEquals("class"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            target = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value is >= 0 and <= 999 ? value : null;
            reader.Skip();
        }

        if (@class is not (2 or 4 or 5) || subject is null || detail is null)
        {
            return null;
        }

        Span<char> text = stackalloc char[LogFieldLimits.MaxEnhancedCodeLength];
        return text.TryWrite(System.Globalization.CultureInfo.InvariantCulture, $"{@class}.{subject}.{detail}", out var written)
            ? LogText.EnhancedCode(text[..written])
            : null;
    }

    /// <summary>A string property of a nested object ("peer_address".name); null when absent or too long.</summary>
    private static string? ReadObjectString(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, int maxLength)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(name);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                value = BoundedString(ref reader, maxLength);
            }
            else
            {
                reader.Skip();
            }
        }

        return value is not null && value.Length <= maxLength ? value : null;
    }

    /// <summary>The string value, or its first <paramref name="maxLength"/> characters.</summary>
    private static string BoundedString(ref Utf8JsonReader reader, int maxLength)
    {
        var value = reader.GetString() ?? "";
        return value.Length <= maxLength ? value : value[..maxLength];
    }

    private static string? Reply(int? code, string? enhanced, string? content)
    {
        if (code is null && content is null)
        {
            return null;
        }

        var builder = new StringBuilder(8 + (enhanced?.Length ?? 0) + (content?.Length ?? 0));
        if (code is not null)
        {
            builder.Append(code.Value);
        }

        if (enhanced is not null && !(content?.StartsWith(enhanced, StringComparison.Ordinal) ?? false))
        {
            builder.Append(builder.Length > 0 ? " " : "").Append(enhanced);
        }

        if (!string.IsNullOrEmpty(content))
        {
            builder.Append(builder.Length > 0 ? " " : "").Append(content);
        }

        return LogText.Response(builder.ToString());
    }

    private enum RecordType
    {
        Missing,
        Invalid,
        Other,
        Delivery,
        Bounce,
        TransientFailure,
        Oob,
    }

    private struct Record
    {
        public RecordType Type;
        public string? Recipient;
        public DateTimeOffset? Time;
        public int? Code;
        public string? Enhanced;
        public string? Content;
        public string? Mx;
        public string? Source;
        public bool NonSmtp;
    }
}

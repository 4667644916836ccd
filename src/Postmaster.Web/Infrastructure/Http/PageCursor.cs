using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>The key of a list's last row shown, which its next page starts after.</summary>
public interface IPageKey
{
    /// <summary>Which list the cursor belongs to: a cursor of another list is refused, not misread.</summary>
    static abstract string Scope { get; }
}

/// <summary>
/// Opaque cursors: base64url of the list's scope and the last key as JSON. Opaque so that callers
/// pass <c>next</c> back as it is and the order can change without breaking them.
/// </summary>
public static class PageCursor
{
    /// <summary>Far above any key we write (two strings of at most 300 characters); longer is not ours.</summary>
    public const int MaxLength = 2048;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    public static string Encode<TKey>(TKey key)
        where TKey : IPageKey =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(TKey.Scope + ":" + JsonSerializer.Serialize(key, Json)));

    public static bool TryDecode<TKey>(string? cursor, [NotNullWhen(true)] out TKey? key)
        where TKey : class, IPageKey
    {
        key = null;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return false;
        }

        var prefix = TKey.Scope + ":";
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            key = JsonSerializer.Deserialize<TKey>(text.AsSpan(prefix.Length), Json);
        }
        catch (JsonException)
        {
            return false;
        }

        return key is not null;
    }
}

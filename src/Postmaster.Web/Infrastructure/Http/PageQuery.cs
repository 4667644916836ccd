using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// <c>?cursor=&amp;limit=</c> of a list endpoint, taken as text so that a bad value gets a sentence
/// that says what to send rather than the framework's bare 400.
/// </summary>
public sealed class PageQuery
{
    /// <summary>The <c>next</c> of the previous page; leave it out for the first page.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Items per page, 1 to 1000 (100 when left out).</summary>
    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }

    public bool TryRead<TKey>(out PageRequest<TKey> request, [NotNullWhen(false)] out ProblemHttpResult? problem)
        where TKey : class, IPageKey
    {
        request = default;
        var limit = Paging.DefaultLimit;
        if (!string.IsNullOrEmpty(Limit) && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > Paging.MaxLimit))
        {
            problem = Problems.BadRequest("Invalid limit",
                $"limit must be a whole number from 1 to {Paging.MaxLimit} (got '{Shorten(Limit)}'); leave it out for {Paging.DefaultLimit} per page.");
            return false;
        }

        TKey? after = null;
        if (!string.IsNullOrEmpty(Cursor) && !PageCursor.TryDecode(Cursor, out after))
        {
            problem = Problems.BadRequest("Invalid cursor",
                "The cursor is not one this list gave out: pass the `next` of the previous page unchanged, or leave cursor out to start from the first page.");
            return false;
        }

        request = new PageRequest<TKey>(limit, after);
        problem = null;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}

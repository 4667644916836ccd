using System.Diagnostics.CodeAnalysis;

namespace Postmaster.Web.Infrastructure.Database;

/// <summary>Text cut to a column's length, with an ellipsis that says it was cut.</summary>
public static class ColumnText
{
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Fit(string? text, int max) =>
        text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}

using System.Diagnostics.CodeAnalysis;

namespace Postmaster.Core.Signals.Logs;

/// <summary>The log formats <c>POST /api/signals/log?format=</c> accepts, by their API names.</summary>
public static class LogFormats
{
    public const string Postfix = "postfix";
    public const string Exim = "exim";
    public const string KumoMta = "kumomta";

    private static readonly ILogLineParser PostfixParser = new PostfixLogParser();
    private static readonly ILogLineParser EximParser = new EximLogParser();
    private static readonly ILogLineParser KumoMtaParser = new KumoMtaLogParser();

    public static IReadOnlyList<string> Names { get; } = [Postfix, Exim, KumoMta];

    /// <summary>The parser for a format name (case and surrounding blanks ignored); false for an unknown or missing name.</summary>
    public static bool TryGet(string? format, [MaybeNullWhen(false)] out ILogLineParser parser)
    {
        parser = Normalize(format) switch
        {
            Postfix => PostfixParser,
            Exim => EximParser,
            KumoMta => KumoMtaParser,
            _ => null,
        };
        return parser is not null;
    }

    /// <summary>As <see cref="TryGet(string?, out ILogLineParser)"/>, with the clock Postfix's year-less timestamps are dated against.</summary>
    public static bool TryGet(string? format, TimeProvider time, [MaybeNullWhen(false)] out ILogLineParser parser)
    {
        ArgumentNullException.ThrowIfNull(time);
        parser = Normalize(format) switch
        {
            Postfix => new PostfixLogParser(time),
            Exim => EximParser,
            KumoMta => KumoMtaParser,
            _ => null,
        };
        return parser is not null;
    }

    private static string? Normalize(string? format)
    {
        var name = format.AsSpan().Trim();
        foreach (var known in Names)
        {
            if (name.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Fluid;

namespace Postmaster.Core.Requests;

/// <summary>A draft as the template made it: where it goes, what it says, and the form's answers.</summary>
public sealed record RenderedRequest(string? To, string? FormUrl, string? Subject, string Body, IReadOnlyList<RenderedField> Fields);

public sealed record RenderedField(string Name, string Label, string Value);

/// <summary>A template text that does not parse or render, with the file, line and what to fix.</summary>
public sealed class RequestTemplateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Liquid through Fluid: no code runs, the model is dictionaries of the contract's names, and text
/// from outside (a rejection that holds <c>{{ }}</c>, a TXT record) is a value the template prints,
/// never template source. Bounded in steps, output and time, as Fluid's guide for user templates says.
/// </summary>
public static partial class RequestRenderer
{
    public const int MaxSourceLength = 64 * 1024;
    public const int MaxOutputLength = 256 * 1024;

    /// <summary>A FluidParser is thread-safe and costly to build: one for the app.</summary>
    public static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Lenient = Options(strict: false);

    /// <summary>The start-up check: a name the contract does not have, or a filter Fluid does not have, is an error.</summary>
    private static readonly TemplateOptions Strict = Options(strict: true);

    private static TemplateOptions Options(bool strict)
    {
        var builder = new TemplateOptionsBuilder()
            .WithCultureInfo(CultureInfo.InvariantCulture)
            .WithTimeZone(TimeZoneInfo.Utc)
            .WithMaxSteps(200_000)
            .WithMaxRecursion(20)
            .WithMaxOutputSize(MaxOutputLength)
            .WithMaxCollectionSize(10_000);
        return strict ? builder.WithStrictVariables().WithStrictFilters().Build() : builder.Build();
    }

    /// <summary>Parses one Liquid text; a syntax error names the file and the line (counted from <paramref name="line"/> for a text inside a JSON file).</summary>
    public static LiquidText Parse(string text, string file, int line, string what)
    {
        if (text.Length > MaxSourceLength)
        {
            throw new RequestTemplateException($"{file}, line {line}: {what} has {text.Length:N0} characters; a template text takes at most {MaxSourceLength:N0}.");
        }

        try
        {
            return new LiquidText(text, Parser.Parse(text), file, line, what);
        }
        catch (ParseException e)
        {
            var at = e.Position is { } position ? line + position.Line - 1 : line;
            throw new RequestTemplateException($"{file}, line {at}: {what} is not valid Liquid: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Renders every text of the template against the model. <paramref name="strict"/>: a name the
    /// model lacks is an error (the start-up check); otherwise it prints nothing.
    /// </summary>
    public static RenderedRequest Render(RequestTemplate template, RequestModel model, IEnumerable<string> providers, bool strict = false, CancellationToken ct = default)
    {
        var values = RequestModelValues.From(model, providers);
        var options = strict ? Strict : Lenient;
        return new RenderedRequest(
            OneLine(template.To is { } to ? Run(to, values, options, ct) : null),
            OneLine(template.FormUrl is { } url ? Run(url, values, options, ct) : null),
            OneLine(template.Subject is { } subject ? Run(subject, values, options, ct) : null),
            Body(Run(template.Body, values, options, ct)),
            [.. template.Fields.Select(f => new RenderedField(f.Name, f.Label, Run(f.Value, values, options, ct).Trim()))]);
    }

    private static string Run(LiquidText text, Dictionary<string, object?> values, TemplateOptions options, CancellationToken ct)
    {
        var context = new TemplateContext(values, options) { CancellationToken = ct };
        try
        {
            return text.Template.Render(context);
        }
        catch (Exception e) when (e is FluidException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new RequestTemplateException($"{text.File}, line {LineOf(text, e.Message)}: {text.What}: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Fluid names an undefined variable but not where: the first line of the text that uses the name.</summary>
    private static int LineOf(LiquidText text, string message)
    {
        if (UndefinedName().Match(message) is not { Success: true } match)
        {
            return text.Line;
        }

        var name = new Regex($@"(?<![A-Za-z0-9_]){Regex.Escape(match.Groups[1].Value)}(?![A-Za-z0-9_])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var lines = text.Text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (name.IsMatch(lines[i]) && (lines[i].Contains("{{", StringComparison.Ordinal) || lines[i].Contains("{%", StringComparison.Ordinal)))
            {
                return text.Line + i;
            }
        }

        return text.Line;
    }

    /// <summary>Subjects, addresses and links are one line: Liquid's line breaks become spaces.</summary>
    private static string? OneLine(string? text) =>
        text is null ? null : string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Trim();

    /// <summary>Line ends as \n, no trailing blanks, at most one empty line in a row (tags on lines of their own leave blank ones).</summary>
    private static string Body(string text)
    {
        var builder = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank > 1 || (line.Length == 0 && builder.Length == 0))
            {
                continue;
            }

            builder.Append(line).Append('\n');
        }

        return builder.ToString().TrimEnd() + "\n";
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [GeneratedRegex("Undefined (?:variable|filter) '([^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex UndefinedName();
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// A request the app could not read (malformed JSON, an unknown field, a body too large) answers 4xx problem+json
/// that says where and what, instead of a 500: <see cref="BadHttpRequestException"/> comes from request binding
/// (RouteHandlerOptions.ThrowOnBadRequest) and from Kestrel's body limits.
/// </summary>
public sealed partial class BadRequestProblems(IProblemDetailsService problems, IOptions<JsonOptions> json) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
        {
            return false;
        }

        var problem = bad.InnerException is JsonException e
            ? Describe(e, RequestType(http))
            : bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => new ProblemDetails
                {
                    Title = "Request body too large",
                    Detail = $"{bad.Message} Send less at once.",
                },
                _ => new ProblemDetails { Title = "Bad request", Detail = Readable(bad.Message) },
            };
        problem.Status = bad.StatusCode;
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private ProblemDetails Describe(JsonException e, Type? requestType)
    {
        var line = e.LineNumber + 1;
        var column = e.BytePositionInLine + 1;
        var at = (string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $"{e.Path}, ") + $"line {line}, byte {column}";
        var problem = new ProblemDetails { Title = "Malformed JSON" };
        if (UnmappedProperty().Match(e.Message) is { Success: true } unknown)
        {
            var expected = ExpectedFields(requestType, unknown.Groups["type"].Value);
            problem.Title = "Unknown field";
            problem.Detail = $"The body has a field '{unknown.Groups["name"].Value}' (at {at}) that this call does not take."
                + (expected.Count > 0 ? $" Expected fields: {string.Join(", ", expected)}." : "");
            problem.Extensions["field"] = unknown.Groups["name"].Value;
            problem.Extensions["expected"] = expected;
        }
        else if (WrongType().Match(e.Message) is { Success: true } wrong)
        {
            problem.Title = "Wrong type";
            var kind = JsonKind(wrong.Groups["type"].Value);
            problem.Detail = e.Path is null or "$"
                ? $"The body must be a JSON object (at {at}); /openapi/v1.json lists its fields."
                : kind is null
                    ? $"The value at {at} has the wrong type for its field; /openapi/v1.json gives each field's type."
                    : $"The value at {at} must be {kind}. Fix it and send the body again.";
        }
        else
        {
            problem.Detail = $"The body is not valid JSON at {at}: {Plain(e.Message)} Fix it and send the body again.";
        }

        problem.Extensions["line"] = line;
        problem.Extensions["bytePositionInLine"] = column;
        problem.Extensions["path"] = e.Path;
        return problem;
    }

    /// <summary>The JSON names of the type the unknown field was found in: the body's type or one nested in it.</summary>
    private List<string> ExpectedFields(Type? requestType, string typeName)
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(requestType is null ? [] : [requestType]);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            var info = json.Value.SerializerOptions.GetTypeInfo(type);
            if (type.FullName == typeName && info.Kind == JsonTypeInfoKind.Object)
            {
                return info.Properties.Select(p => p.Name).ToList();
            }

            foreach (var nested in info.Properties.Select(p => p.PropertyType)
                .Concat(info.ElementType is { } element ? [element] : [])
                .Concat(info.KeyType is { } key ? [key] : []))
            {
                pending.Enqueue(Nullable.GetUnderlyingType(nested) ?? nested);
            }
        }

        return [];
    }

    /// <summary>Binding messages name C# parameters; say it in the API's terms.</summary>
    private static string Readable(string message)
    {
        if (message.Contains("no body was provided", StringComparison.Ordinal))
        {
            return "This call needs a JSON body; /openapi/v1.json lists its fields.";
        }

        return BindFailure().Match(message) is { Success: true } m
            ? $"'{m.Groups["value"].Value}' is not a valid {m.Groups["name"].Value}: it must be {JsonKind(m.Groups["type"].Value) ?? "of the type /openapi/v1.json gives"}."
            : message;
    }

    /// <summary>A .NET type name (System.Int64, Nullable&lt;bool&gt;, DateTimeOffset?) as a person sending JSON or a query would say it.</summary>
    /// <remarks>Null for a type of the API's own: System.Text.Json then names the object, not the field's type.</remarks>
    private static string? JsonKind(string typeName)
    {
        var name = typeName.Replace("System.", "", StringComparison.Ordinal).Replace("Nullable`1[", "", StringComparison.Ordinal)
            .Replace("Nullable<", "", StringComparison.OrdinalIgnoreCase).TrimEnd('?', ']', '>').ToLowerInvariant();
        return name switch
        {
            "string" => "text (a JSON string)",
            "bool" or "boolean" => "true or false",
            "int" or "int32" or "long" or "int64" or "short" or "int16" => "a whole number",
            "double" or "decimal" or "single" or "float" => "a number",
            "datetimeoffset" or "datetime" => "an ISO 8601 date and time, e.g. 2026-01-10T10:00:00Z",
            _ when name.EndsWith("[]", StringComparison.Ordinal) || name.Contains("list", StringComparison.Ordinal) => "a list (a JSON array)",
            _ when name.Contains("dictionary", StringComparison.Ordinal) => "an object",
            _ => null,
        };
    }

    /// <summary>The failed endpoint's body type; the exception handler has cleared the endpoint, its feature keeps it.</summary>
    private static Type? RequestType(HttpContext http) =>
        (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;

    /// <summary>System.Text.Json's message without the position suffix (given separately) and .NET type names.</summary>
    private static string Plain(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).Trim();
    }

    [GeneratedRegex(@"^The JSON property '(?<name>.*)' could not be mapped to any \.NET member contained in type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    [GeneratedRegex(@"could not be converted to (?<type>[^ ]+?)\.( |$)", RegexOptions.Singleline)]
    private static partial Regex WrongType();
}

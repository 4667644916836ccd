using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// What a client generator needs on every /api operation and minimal APIs do not write by themselves: an operationId,
/// the bearer requirement, and the problem+json answers the API gives (see <see cref="StatusProblems"/>,
/// <see cref="BadRequestProblems"/> and the API key handler).
/// </summary>
public sealed class OpenApiOperationContract : IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = "/" + (description.RelativePath ?? "").TrimStart('/');
        if (!path.StartsWith(ApiSetup.Prefix + "/", StringComparison.OrdinalIgnoreCase) && path != ApiSetup.Prefix)
        {
            return Task.CompletedTask;
        }

        var method = description.HttpMethod ?? "GET";
        operation.OperationId ??= OperationId(method, path);
        operation.Summary ??= $"{method} {path}";
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];

        var hasBody = operation.RequestBody is not null;
        var hasInput = hasBody || operation.Parameters is { Count: > 0 };
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var needsRole = metadata.OfType<IAuthorizeData>().Any(a => a.Policy is Policies.CanEdit or Policies.AdminOnly || !string.IsNullOrEmpty(a.Roles));

        operation.Responses ??= [];
        if (hasInput)
        {
            Add(operation, context, StatusCodes.Status400BadRequest,
                "Bad input: malformed JSON (with its line and byte), an unknown field (named, with the expected ones) or a value this call cannot take.");
        }

        Add(operation, context, StatusCodes.Status401Unauthorized, "No API key, or a key that is unknown or revoked: send 'Authorization: Bearer <api key>'.");
        if (needsRole)
        {
            Add(operation, context, StatusCodes.Status403Forbidden, "The key's role may not do this (viewer keys only read).");
        }

        Add(operation, context, StatusCodes.Status404NotFound, "Nothing at this address, or no such item.");
        Add(operation, context, StatusCodes.Status405MethodNotAllowed, "The path does not take this method; the answer names the ones it takes.");
        if (hasBody)
        {
            Add(operation, context, StatusCodes.Status413PayloadTooLarge, "The body is larger than this call takes; the answer says the limit.");
            Add(operation, context, StatusCodes.Status415UnsupportedMediaType, "The body's Content-Type is not one this call takes; the answer names them.");
        }

        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            },
        };
    }

    /// <summary>"POST /api/signals/log" → "postSignalsLog", "GET /api/assets/{id}" → "getAssetsById": unique as method and path are.</summary>
    internal static string OperationId(string method, string path)
    {
        var words = path[ApiSetup.Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(segment =>
        {
            var parameter = segment.StartsWith('{');
            var name = parameter ? segment.Trim('{', '}').Split(':')[0] : segment;
            var pascal = string.Concat(name.Split('-', '_', '.').Where(w => w.Length > 0).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            return parameter ? "By" + pascal : pascal;
        });
        return method.ToLowerInvariant() + string.Concat(words);
    }
}

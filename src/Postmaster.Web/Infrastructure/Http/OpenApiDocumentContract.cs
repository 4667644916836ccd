using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>The document-wide parts: the bearer scheme, the problem+json schema, described tags, a clean server URL.</summary>
public sealed class OpenApiDocumentContract : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Assets"] = "The inventory: IP addresses, ranges, sending domains and HELO names Postmaster watches.",
        ["Blocklists"] = "The catalog of DNSBLs and RHSBLs, their health and their return codes.",
        ["Sweeps"] = "Runs of every enabled list against the inventory.",
        ["Listings"] = "What the lists say about the inventory, and ad-hoc look-ups.",
        ["Audit"] = "Who did what, when and from which address: sign-ins, users, keys, assets, the catalog, sweeps. Admin only.",
        ["Signals"] = "Delivery outcomes from MTA logs, bounces and JSON: ingest, classify and summarise.",
        ["Incidents"] = "One per provider and asset group while a block lasts: affected values, evidence, timeline; "
            + "state, assignee, severity and notes changed by responders.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Postmaster";
        document.Info.Description = "The Postmaster JSON API. Every call under /api needs 'Authorization: Bearer <api key>'; "
            + "errors are application/problem+json (RFC 9457) with a sentence saying what to change.";

        // Redocly's no-server-trailing-slash: paths start with '/', so the server URL must not end with one.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OpenApiOperationContract.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "API key",
            Description = "An API key from Settings → API keys; it acts with at most its creator's role.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(OpenApiOperationContract.ProblemSchema, Problem());

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description ??= description;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>RFC 9457 problem details, with the members this API adds (line, path, field, expected...).</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "What was wrong and what to change." },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
        },
        AdditionalPropertiesAllowed = true,
    };
}

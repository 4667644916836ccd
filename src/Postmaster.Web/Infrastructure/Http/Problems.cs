using Microsoft.AspNetCore.Http.HttpResults;

namespace Postmaster.Web.Infrastructure.Http;

/// <summary>problem+json answers with a sentence a person can act on.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title, extensions: extensions);

    public static ProblemHttpResult Conflict(string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title, extensions: extensions);

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");
}

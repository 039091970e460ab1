using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Api;

/// <summary>Every error answer is <c>application/problem+json</c> with a title and a detail a person can act on.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid");

    public static IResult Validation(IReadOnlyList<string> errors) => Results.Problem(
        string.Join("; ", errors),
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is not valid",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>403: the caller may see what they asked about but not do this; <paramref name="required"/> names the role
    /// it needs (<c>requiredRole</c>), so that a client can say so.</summary>
    public static IResult Forbidden(string detail, string required) => Results.Problem(
        detail,
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        extensions: new Dictionary<string, object?> { ["requiredRole"] = required });

    public static IResult TooManyRequests(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");

    public static IResult Unauthorized(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cairn.Server.Dashboard.People;

/// <summary>Reads what one of the API's handlers answered, so that a page's form goes through the very same rules,
/// checks and audit entries as the API and only words the outcome for a person: whether it succeeded, the value it
/// returned, and otherwise the problem's sentence.</summary>
internal static class ApiAnswer
{
    /// <summary>Whether the answer is a success (2xx).</summary>
    public static bool Succeeded(IResult result) =>
        result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } or IStatusCodeHttpResult { StatusCode: null };

    /// <summary>The answer's status code (200 when it names none).</summary>
    public static int Status(IResult result) => result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;

    /// <summary>The value a successful answer carried, or default.</summary>
    public static T? Value<T>(IResult result) where T : class =>
        Succeeded(result) && result is IValueHttpResult { Value: T value } ? value : null;

    /// <summary>The problem's sentence, for a person: what the API's problem+json says in <c>detail</c>.</summary>
    public static string Error(IResult result) => result switch
    {
        ProblemHttpResult { ProblemDetails.Detail: { Length: > 0 } detail } => detail,
        ProblemHttpResult problem => problem.ProblemDetails.Title ?? "the request was refused",
        _ => $"the server answered {Status(result)}",
    };
}

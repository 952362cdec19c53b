using Microsoft.AspNetCore.Mvc;

namespace IncidentDesk.Web;

/// <summary>RFC 9457 problem responses, the one error shape of the HTTP API.</summary>
public static class Problems
{
    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path },
            options: null, contentType: "application/problem+json");
    }

    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: 400, title: "Bad request");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: 404, title: "Not found");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: 409, title: "Conflict");

    public static IResult Forbidden(string detail) => Results.Problem(detail, statusCode: 403, title: "Forbidden");
}

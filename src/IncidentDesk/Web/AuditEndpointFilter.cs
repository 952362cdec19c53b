using System.Security.Claims;
using Dapper;
using IncidentDesk.Storage;
using Npgsql;

namespace IncidentDesk.Web;

/// <summary>Writes one <c>audit_log</c> row for every state-changing <c>/api/</c> call, whatever its outcome.</summary>
internal sealed class AuditEndpointFilter(NpgsqlDataSource dataSource, TimeProvider time, ILogger<AuditEndpointFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        object? result = null;
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            result = await next(context);
            status = result switch
            {
                IStatusCodeHttpResult { StatusCode: { } code } => code,
                _ => http.Response.StatusCode,
            };
            return result;
        }
        finally
        {
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
                await WriteAsync(http, status);
        }
    }

    private async Task WriteAsync(HttpContext http, int status)
    {
        try
        {
            await dataSource.ExecuteAsync(new CommandDefinition("""
                INSERT INTO audit_log (at, actor, role, method, path, status)
                VALUES (@at, @actor, @role, @method, @path, @status)
                """,
                new
                {
                    at = time.GetUtcNow(),
                    actor = http.User.Identity?.Name ?? "anonymous",
                    role = http.User.FindFirstValue(ClaimTypes.Role) ?? "",
                    method = http.Request.Method,
                    path = http.Request.Path.Value ?? "",
                    status,
                },
                cancellationToken: CancellationToken.None));
        }
        catch (NpgsqlException e)
        {
            logger.LogError(e, "Could not write the audit record for {Method} {Path}", http.Request.Method, http.Request.Path);
        }
    }
}

using System.Net;
using IncidentDesk.Incidents;

namespace IncidentDesk.Paging.Email;

/// <summary>
/// <c>GET /ack/{token}</c> shows a confirm page (mail scanners follow links with GET, so GET never acknowledges);
/// <c>POST /ack/{token}</c> acknowledges. A forged or expired token is 403; using a link again after the
/// acknowledgment is harmless and says so.
/// </summary>
internal static class AckLinkEndpoints
{
    public static void MapAckLinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ack/{token}", async (string token, AckLinks links, IncidentService incidents, HttpContext http, CancellationToken ct) =>
        {
            if (links.Verify(token) is not { } grant)
                return Forbidden(http);
            var incident = await incidents.GetAsync(grant.IncidentId, ct);
            if (incident is null)
                return Page(404, "Not found", $"<p>Incident #{grant.IncidentId} does not exist.</p>");
            var title = WebUtility.HtmlEncode(incident.Title);
            if (incident.Status != IncidentStatus.Triggered)
                return Page(200, "Already acknowledged", $"<p>Incident #{incident.Id} <strong>{title}</strong> is {incident.Status}"
                    + (incident.AcknowledgedBy is null ? "" : $" (acknowledged by {WebUtility.HtmlEncode(incident.AcknowledgedBy)})") + ". Nothing to do.</p>");
            return Page(200, "Acknowledge incident", $"""
                <p>Incident #{incident.Id} ({incident.Severity}): <strong>{title}</strong></p>
                <p>Acknowledge as <strong>{WebUtility.HtmlEncode(grant.Person)}</strong>? This stops further pages and escalation.</p>
                <form method="post"><button type="submit" id="confirm">Confirm acknowledgment</button></form>
                """);
        });

        app.MapPost("/ack/{token}", async (string token, AckLinks links, IncidentService incidents, HttpContext http, CancellationToken ct) =>
        {
            if (links.Verify(token) is not { } grant)
                return Forbidden(http);
            var result = await incidents.AcknowledgeAsync(grant.IncidentId, grant.Person, "e-mail link", ct);
            return result switch
            {
                TransitionResult.Done => Page(200, "Acknowledged", $"<p id=\"result\">Incident #{grant.IncidentId} is acknowledged by {WebUtility.HtmlEncode(grant.Person)}. No further pages will be sent.</p>"),
                TransitionResult.NotFound => Page(404, "Not found", $"<p>Incident #{grant.IncidentId} does not exist.</p>"),
                _ => Page(200, "Already acknowledged", $"<p id=\"result\">Incident #{grant.IncidentId} was already acknowledged or resolved. Nothing changed.</p>"),
            };
        });
    }

    private static IResult Forbidden(HttpContext http) =>
        http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal)
            ? Page(403, "Link not valid", "<p>This acknowledgment link is not valid or has expired. Acknowledge in Slack, with <code>incidentdesk ack</code>, or through the API.</p>")
            : Results.Problem("the acknowledgment link is forged, malformed or expired", statusCode: 403, title: "Forbidden");

    private static IResult Page(int status, string title, string body) => Results.Content($"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{title} · IncidentDesk</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body style="font-family: sans-serif; max-width: 40em; margin: 2em auto"><h1>{title}</h1>{body}</body></html>
        """, "text/html; charset=utf-8", statusCode: status);
}

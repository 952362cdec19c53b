using System.Globalization;
using System.Text.Json;
using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using IncidentDesk.Web;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Paging.Slack;

/// <summary><c>POST /slack/interactions</c>: the Acknowledge button. Only requests signed with the signing secret count.</summary>
internal static class SlackInteractions
{
    public static void MapSlackInteractions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/slack/interactions", async (HttpRequest request, IOptions<SlackOptions> options, OnCallDirectory onCall,
            IncidentService incidents, TimeProvider time, ILogger<SlackOptionsMarker> logger, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var body = buffer.ToArray();
            if (!SlackSignature.Verify(options.Value.SigningSecret, request.Headers["X-Slack-Request-Timestamp"], request.Headers["X-Slack-Signature"], body, time.GetUtcNow()))
                return Results.Problem("missing, stale or wrong Slack signature", statusCode: 401, title: "Unauthorized");

            var form = System.Web.HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(body));
            JsonElement payload;
            try
            {
                payload = JsonDocument.Parse(form["payload"] ?? "").RootElement;
            }
            catch (JsonException)
            {
                return Problems.BadRequest("payload must be Slack's interaction JSON");
            }
            if (payload.TryGetProperty("type", out var type) && type.GetString() != "block_actions")
                return Results.Ok();
            var userId = payload.TryGetProperty("user", out var user) && user.TryGetProperty("id", out var uid) ? uid.GetString() : null;
            var action = payload.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array && actions.GetArrayLength() > 0 ? actions[0] : default;
            if (action.ValueKind != JsonValueKind.Object || action.GetProperty("action_id").GetString() != "ack")
                return Results.Ok();
            if (!long.TryParse(action.GetProperty("value").GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var incidentId))
                return Problems.BadRequest("the ack button carries no incident id");

            var person = userId is null ? null : onCall.Schedule.FindBySlackId(userId);
            if (person is null)
            {
                logger.LogWarning("Slack user {User} pressed Acknowledge on incident {Incident} but is not in oncall.yaml", userId, incidentId);
                return Results.Ok(new { response_type = "ephemeral", replace_original = false, text = "You are not on the on-call roster (alerts/oncall.yaml), so you cannot acknowledge." });
            }
            var result = await incidents.AcknowledgeAsync(incidentId, person.Id, "slack", ct);
            // Slack wants a 200 within three seconds; the message itself is edited through the outbox.
            return result switch
            {
                TransitionResult.NotFound => Problems.NotFound($"incident {incidentId} does not exist"),
                _ => Results.Ok(),
            };
        });
    }

    /// <summary>A logger category for the endpoint.</summary>
    internal sealed class SlackOptionsMarker;
}

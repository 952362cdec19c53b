using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IncidentDesk.Web;

namespace IncidentDesk.Incidents;

/// <summary>Prometheus Alertmanager webhook, payload version 4: firing alerts open or join incidents, resolved ones resolve them.</summary>
internal static class AlertmanagerWebhook
{
    public sealed record Payload(
        [property: JsonPropertyName("version")] string? Version,
        [property: JsonPropertyName("groupKey")] string? GroupKey,
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("receiver")] string? Receiver,
        [property: JsonPropertyName("externalURL")] string? ExternalUrl,
        [property: JsonPropertyName("alerts")] List<Alert>? Alerts);

    public sealed record Alert(
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("labels")] Dictionary<string, string>? Labels,
        [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations,
        [property: JsonPropertyName("startsAt")] DateTimeOffset? StartsAt,
        [property: JsonPropertyName("endsAt")] DateTimeOffset? EndsAt,
        [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
        [property: JsonPropertyName("fingerprint")] string? Fingerprint);

    public static void MapAlertmanager(this RouteGroupBuilder api)
    {
        api.MapPost("/alerts", async (HttpRequest request, IncidentService incidents, CancellationToken ct) =>
        {
            Payload? payload;
            try
            {
                payload = await JsonSerializer.DeserializeAsync<Payload>(request.Body, cancellationToken: ct);
            }
            catch (JsonException e)
            {
                return Problems.BadRequest($"body is not an Alertmanager webhook payload: {e.Message}");
            }
            var problem = Validate(payload);
            if (problem is not null)
                return Problems.BadRequest(problem);

            var opened = new List<long>();
            var resolved = 0;
            foreach (var alert in payload!.Alerts!)
            {
                var key = "alertmanager:" + Fingerprint(alert);
                if (alert.Status == "resolved")
                {
                    if (await incidents.ResolveByKeyAsync(key, "alertmanager", $"resolved by Alertmanager ({alert.Labels!.GetValueOrDefault("alertname")})", ct) == TransitionResult.Done)
                        resolved++;
                    continue;
                }
                var labels = alert.Labels!;
                var annotations = alert.Annotations ?? [];
                var title = annotations.GetValueOrDefault("summary") ?? labels["alertname"];
                var result = await incidents.OpenAsync(new IncidentSignal(
                    key, "alertmanager", title, SeverityOf(labels),
                    annotations.GetValueOrDefault("description"),
                    labels.Concat(annotations.Where(a => a.Key == "runbook_url")).ToDictionary(),
                    "alertmanager"), ct);
                opened.Add(result.IncidentId);
            }
            return Results.Ok(new { incidents = opened.Distinct(), resolved });
        }).AllowRoles(Roles.Admin, Roles.Engineer);
    }

    private static string? Validate(Payload? payload)
    {
        if (payload is null)
            return "body is empty";
        if (payload.Version != "4")
            return $"version must be \"4\" (got {(payload.Version is null ? "none" : $"\"{payload.Version}\"")})";
        if (payload.Alerts is null || payload.Alerts.Count == 0)
            return "alerts must be a non-empty array";
        for (var i = 0; i < payload.Alerts.Count; i++)
        {
            var alert = payload.Alerts[i];
            if (alert.Status is not ("firing" or "resolved"))
                return $"alerts[{i}].status must be \"firing\" or \"resolved\"";
            if (alert.Labels is null || !alert.Labels.ContainsKey("alertname"))
                return $"alerts[{i}].labels must contain alertname";
        }
        return null;
    }

    /// <summary>Alertmanager's fingerprint identifies the label set; without one, hash the labels the same way every time.</summary>
    private static string Fingerprint(Alert alert)
    {
        if (!string.IsNullOrWhiteSpace(alert.Fingerprint))
            return alert.Fingerprint;
        var canonical = string.Join('\n', alert.Labels!.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    private static string SeverityOf(Dictionary<string, string> labels) => labels.GetValueOrDefault("severity") switch
    {
        "critical" or "page" => "critical",
        "high" or "error" => "high",
        "warning" or "medium" => "medium",
        "info" or "low" or "none" => "low",
        _ => "high",
    };
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IncidentDesk.Incidents;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks.Escalate;

/// <summary>The Jira account for escalations (see <see cref="RunbookVendorOptions"/>).</summary>
public sealed class JiraEscalationOptions : RunbookVendorOptions;

/// <summary>An issue as the escalation sees it.</summary>
public sealed record JiraIssue(string Key, string? Status);

/// <summary>Creates, finds and reads Jira issues (REST API v3). Throws <see cref="VendorException"/>; callers retry all of them.</summary>
public sealed class JiraClient(HttpClient http, IOptions<JiraEscalationOptions> options)
{
    private const string Vendor = "Jira";
    private static readonly string[] StatusField = ["status"];

    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.BaseUrl);

    /// <summary>The issue carrying <paramref name="label"/>, if one exists (the escalation's idempotency marker).</summary>
    public async Task<JiraIssue?> FindByLabelAsync(string label, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, "rest/api/3/search/jql");
        request.Content = JsonContent.Create(new { jql = $"labels = \"{label}\"", fields = StatusField, maxResults = 1 });
        using var response = await VendorHttp.SendAsync(http, request, Vendor, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        var issue = body?["issues"]?.AsArray().FirstOrDefault();
        return issue is null ? null : new JiraIssue(issue["key"]!.GetValue<string>(), issue["fields"]?["status"]?["name"]?.GetValue<string>());
    }

    /// <summary>Creates an issue and returns its key.</summary>
    public async Task<string> CreateAsync(string project, string issueType, string priority, string summary, string description, IEnumerable<string> labels, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, "rest/api/3/issue");
        request.Content = JsonContent.Create(new
        {
            fields = new
            {
                project = new { key = project },
                issuetype = new { name = issueType },
                priority = new { name = priority },
                summary,
                labels,
                // Atlassian Document Format: one paragraph per line of the context.
                description = new
                {
                    type = "doc",
                    version = 1,
                    content = description.Split('\n').Select(line => new { type = "paragraph", content = new[] { new { type = "text", text = line.Length == 0 ? " " : line } } }),
                },
            },
        });
        using var response = await VendorHttp.SendAsync(http, request, Vendor, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        return body?["key"]?.GetValue<string>() ?? throw new VendorException("Jira created an issue but returned no key");
    }

    public async Task<JiraIssue> GetAsync(string key, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, $"rest/api/3/issue/{Uri.EscapeDataString(key)}?fields=status");
        using var response = await VendorHttp.SendAsync(http, request, Vendor, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        return new JiraIssue(key, body?["fields"]?["status"]?["name"]?.GetValue<string>());
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var o = options.Value;
        var request = new HttpRequestMessage(method, new Uri(new Uri(o.BaseUrl!.TrimEnd('/') + "/"), path));
        if (!string.IsNullOrEmpty(o.Email))
            request.Headers.Authorization = VendorHttp.Basic(o.Email, o.ApiToken ?? "");
        return request;
    }
}

/// <summary>
/// <c>escalate</c>: a Jira issue for the tech team, priority High by default, with the incident's context.
/// Idempotent through a label carrying the incident and step: a retry finds the issue a crashed attempt
/// created instead of creating a second one.
/// </summary>
public sealed class EscalateStepExecutor(JiraClient jira, IncidentService incidents, StepFaultHook faults) : IStepExecutor
{
    public string Kind => StepKinds.Escalate;

    public static string IdempotencyLabel(long incidentId, string stepId) => $"incidentdesk-{incidentId}-{stepId}";

    public async Task<StepOutcome> ExecuteAsync(StepRun run, CancellationToken ct)
    {
        if (run.Result["jiraKey"] is not null)
            return new StepOutcome.Done($"Jira issue {run.Result["jiraKey"]} already recorded", run.Result);
        if (!jira.Configured)
            return new StepOutcome.Retry("neither Runbooks:Jira nor Ticketing:Jira is configured: no issue can be created");
        var label = IdempotencyLabel(run.Incident.Id, run.Step.StepId);
        var priority = run.Definition.Setting("priority") ?? "High";
        // The intent is recorded before the call: whoever looks at the step sees which marker to search for.
        await run.Checkpoint(new JsonObject { ["idempotencyLabel"] = label, ["priority"] = priority });
        try
        {
            var existing = await jira.FindByLabelAsync(label, ct);
            string key;
            string how;
            if (existing is not null)
            {
                key = existing.Key;
                how = "found (created by an earlier attempt)";
            }
            else
            {
                key = await jira.CreateAsync(
                    run.Definition.Setting("project")!, run.Definition.Setting("issuetype") ?? "Bug", priority,
                    $"[Incident {run.Incident.Id}] {run.Incident.Title}", Context(run.Incident), ["incidentdesk", label], ct);
                how = "created";
                await faults.AfterSideEffectAsync(Kind, ct);
            }
            var result = new JsonObject { ["jiraKey"] = key, ["jiraStatus"] = existing?.Status };
            return new StepOutcome.Done($"Jira issue {key} {how} for the tech team, priority {priority}", result);
        }
        catch (VendorException e)
        {
            return VendorHttp.Retry(e);
        }
    }

    /// <summary>Reads the issue's status and records a change on the timeline; the escalation is followed until the review.</summary>
    public async Task FollowAsync(StepRow step, DateTimeOffset now, Func<JsonObject, Task> save, CancellationToken ct)
    {
        var key = step.Result["jiraKey"]!.GetValue<string>();
        var known = step.Result["jiraStatus"]?.GetValue<string>();
        var issue = await jira.GetAsync(key, ct);
        if (issue.Status is not null && issue.Status != known)
            await incidents.AddEventAsync(step.IncidentId, "jira", "escalation-status", $"Jira issue {key} is now '{issue.Status}'", new { key, status = issue.Status }, ct);
        await save(new JsonObject { ["jiraStatus"] = issue.Status ?? known, ["followedAt"] = now.ToString("O") });
    }

    private static string Context(Incident incident) => string.Join('\n',
        $"IncidentDesk incident {incident.Id}: {incident.Title}",
        $"Severity: {incident.Severity}; source: {incident.Source}; opened {incident.OpenedAt:yyyy-MM-dd HH:mm} UTC",
        incident.Summary ?? "",
        "Labels: " + string.Join(", ", incident.Labels.Where(l => l.Key != "tickets").Select(l => $"{l.Key}={l.Value}")),
        $"Acknowledged by {incident.AcknowledgedBy ?? "nobody yet"}.");
}

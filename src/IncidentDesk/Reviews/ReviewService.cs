using System.Globalization;
using System.Text;
using IncidentDesk.Incidents;
using IncidentDesk.Runbooks;
using IncidentDesk.Runbooks.Communicate;

namespace IncidentDesk.Reviews;

/// <summary>The measured durations of an incident, from its timeline.</summary>
public sealed record IncidentDurations(TimeSpan? ToAcknowledge, TimeSpan? ToMitigate, TimeSpan? ToResolve);

/// <summary>Generates the post-incident review (Markdown) from the timeline, the steps and what people wrote.</summary>
public sealed class ReviewService(IncidentService incidents, RunbookStore steps, ReviewStore reviews, TimeProvider time)
{
    /// <summary>
    /// Acknowledge and resolve are the lifecycle's own times; mitigation is the first move to <c>mitigating</c>
    /// (a verified rollback does that), else the resolution itself.
    /// </summary>
    public static IncidentDurations Durations(Incident incident, IReadOnlyList<IncidentEvent> timeline)
    {
        var mitigated = timeline.FirstOrDefault(e => e.Kind == IncidentStatus.Mitigating)?.At ?? incident.ResolvedAt;
        return new IncidentDurations(incident.AcknowledgedAt - incident.OpenedAt, mitigated - incident.OpenedAt, incident.ResolvedAt - incident.OpenedAt);
    }

    public async Task<string?> MarkdownAsync(long incidentId, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(incidentId, ct);
        if (incident is null)
            return null;
        var timeline = await incidents.TimelineAsync(incidentId, ct);
        var review = await reviews.GetAsync(incidentId, ct);
        var items = await reviews.ActionItemsAsync(incidentId, ct);
        var stepRows = await steps.StepsAsync(incidentId, ct);
        var notices = await steps.NoticeCountsAsync(incidentId, ct);
        var durations = Durations(incident, timeline);
        var end = incident.ResolvedAt ?? time.GetUtcNow();
        var contacts = await reviews.ContactsDuringAsync(incident.OpenedAt, end, incident.Labels.GetValueOrDefault("channel"), ct);

        var md = new StringBuilder();
        md.AppendLine($"# Post-incident review: incident {incident.Id} – {incident.Title}").AppendLine();
        var state = review switch
        {
            null => "not opened yet (the review opens when the incident is resolved)",
            { PublishedAt: { } at } => $"published by {review.PublishedBy} at {Utc(at)}",
            _ => $"draft, opened {Utc(review.OpenedAt)}",
        };
        md.AppendLine($"- Review: {state}");
        md.AppendLine($"- Status: {incident.Status}; severity: {incident.Severity}; source: {incident.Source}; runbook: {(stepRows.Count > 0 ? stepRows[0].Runbook : "none")}");
        md.AppendLine($"- Opened {Utc(incident.OpenedAt)}; acknowledged {Utc(incident.AcknowledgedAt)} by {incident.AcknowledgedBy ?? "–"}; resolved {Utc(incident.ResolvedAt)} by {incident.ResolvedBy ?? "–"}").AppendLine();

        md.AppendLine("## Summary").AppendLine().AppendLine(Text(review?.Summary ?? incident.Summary)).AppendLine();

        md.AppendLine("## Durations").AppendLine();
        md.AppendLine("| measure | duration |").AppendLine("|---|---|");
        md.AppendLine($"| time to acknowledge | {Span(durations.ToAcknowledge)} |");
        md.AppendLine($"| time to mitigate | {Span(durations.ToMitigate)} |");
        md.AppendLine($"| time to resolve | {Span(durations.ToResolve)} |").AppendLine();

        md.AppendLine("## Impact").AppendLine();
        md.AppendLine($"- Affected tickets named on the incident: {CommunicateStepExecutor.AffectedTickets(incident).Count}");
        md.AppendLine($"- Contacts received while the incident was open{(incident.Labels.TryGetValue("channel", out var channel) ? $" (channel {channel})" : "")}: {contacts}");
        var sla = incident.Labels.Where(l => l.Key is "rule" or "channel" or "kind" || l.Key.Contains("value", StringComparison.Ordinal)
            || l.Key.Contains("threshold", StringComparison.Ordinal) || l.Key.Contains("ratio", StringComparison.Ordinal)).ToList();
        md.AppendLine($"- SLA values during the incident: {(sla.Count == 0 ? "none recorded (not an SLA incident)" : string.Join(", ", sla.Select(l => $"{l.Key} = {l.Value}")))}");
        var sent = notices.Where(n => n.State == "sent").ToList();
        md.AppendLine($"- Customer messages sent: {sent.Where(n => n.Channel == "email").Sum(n => n.Count)} e-mail(s), {sent.Where(n => n.Channel == "comment").Sum(n => n.Count)} ticket comment(s)" +
            (notices.Any(n => n.State == "uncertain") ? $"; {notices.Where(n => n.State == "uncertain").Sum(n => n.Count)} uncertain after a crash" : ""));
        foreach (var step in stepRows.Where(s => s.Kind == StepKinds.Escalate && s.Result["jiraKey"] is not null))
            md.AppendLine($"- Escalated to tech: Jira {step.Result["jiraKey"]} (priority {step.Result["priority"]}, status {step.Result["jiraStatus"]?.ToString() ?? "unknown"})");
        foreach (var step in stepRows.Where(s => s.Kind == StepKinds.Rollback && s.Result["flag"] is not null && s.Status is StepStatus.Done or StepStatus.Reversed))
            md.AppendLine($"- Feature flag {step.Result["flag"]} rolled back (was {(step.Result["previous"]?.GetValue<bool>() == true ? "on" : "off")}){(step.Status == StepStatus.Reversed ? ", since reversed" : "")}");
        md.AppendLine();

        md.AppendLine("## Runbook steps").AppendLine();
        md.AppendLine("| step | kind | owner | status | due | done | by |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in stepRows)
            md.AppendLine($"| {s.StepId} | {s.Kind} | {s.OwnerRole} | {s.Status}{(s.Attempts > 1 ? $" ({s.Attempts} attempts)" : "")} | {Utc(s.DueAt)} | {Utc(s.CompletedAt)} | {s.CompletedBy ?? "–"} |");
        md.AppendLine();

        md.AppendLine("## Timeline").AppendLine();
        md.AppendLine("| time (UTC) | who | what |").AppendLine("|---|---|---|");
        foreach (var e in timeline)
            md.AppendLine($"| {Utc(e.At)} | {Cell(e.Actor)} | {Cell(e.Kind)}: {Cell(e.Message)} |");
        md.AppendLine();

        md.AppendLine("## Root cause (5 whys)").AppendLine();
        if (review is null || review.Whys.Length == 0)
            md.AppendLine("_to be written_");
        for (var i = 0; i < (review?.Whys.Length ?? 0); i++)
            md.AppendLine($"{i + 1}. Why? {review!.Whys[i]}");
        md.AppendLine().AppendLine($"Root cause: {Text(review?.RootCause)}").AppendLine();

        md.AppendLine("## Lessons learned").AppendLine().AppendLine(Text(review?.LessonsLearned)).AppendLine();

        md.AppendLine("## Action items").AppendLine();
        if (items.Count == 0)
            md.AppendLine("_none yet_");
        else
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            md.AppendLine("| # | action | owner | due | status |").AppendLine("|---|---|---|---|---|");
            foreach (var item in items)
            {
                var status = item.DoneAt is { } done ? $"done {Utc(done)} by {item.DoneBy}" : item.DueDate < today ? "**overdue**" : "open";
                md.AppendLine($"| {item.Id} | {Cell(item.Title)} | {Cell(item.Owner)} | {item.DueDate:yyyy-MM-dd} | {status} |");
            }
        }
        md.AppendLine();
        md.AppendLine("## Knowledge-base updates").AppendLine().AppendLine(Text(review?.KnowledgeBase));
        return md.ToString();
    }

    private static string Text(string? value) => string.IsNullOrWhiteSpace(value) ? "_to be written_" : value.Trim();

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Utc(DateTimeOffset? at) => at is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "–";

    /// <summary>Durations as people read them: <c>4m 12s</c>, <c>2h 05m</c>, <c>1d 3h</c>.</summary>
    public static string Span(TimeSpan? span) => span switch
    {
        null => "–",
        { TotalDays: >= 1 } s => $"{(int)s.TotalDays}d {s.Hours}h",
        { TotalHours: >= 1 } s => $"{(int)s.TotalHours}h {s.Minutes:00}m",
        { TotalMinutes: >= 1 } s => $"{(int)s.TotalMinutes}m {s.Seconds:00}s",
        { } s => $"{s.Seconds}s",
    };
}

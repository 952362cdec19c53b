using IncidentDesk.Incidents;
using IncidentDesk.OnCall;
using IncidentDesk.Runbooks;
using Npgsql;

namespace IncidentDesk.Paging;

/// <summary>
/// Pages the owner of an overdue runbook step through the same outbox as incident pages. The role maps to the
/// escalation chain (shift lead = level 1, team lead = 2, manager = 3) or, for engineers, to the agents on duty.
/// One page per (step, person, channel): the purpose in the idempotency key makes a repeated call harmless.
/// </summary>
internal sealed class StepOwnerPager(
    NpgsqlDataSource dataSource,
    IncidentService incidents,
    OnCallDirectory onCall,
    PagePlanner planner,
    TimeProvider time,
    ILogger<StepOwnerPager> logger) : IStepOwnerPager
{
    public async Task PageAsync(long incidentId, string role, string message, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(incidentId, ct)
            ?? throw new InvalidOperationException($"incident {incidentId} does not exist");
        var people = PeopleFor(role);
        var purpose = "step-" + new string(message.Where(char.IsLetterOrDigit).Take(40).ToArray());
        var pages = planner.Plan(incident with { Title = $"Overdue runbook step: {message}" }, people, attempt: 1, level: 0)
            .Select(p => p with { Purpose = purpose })
            .ToList();

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            await PageStore.InsertPagesAsync(tx, pages, time.GetUtcNow(), ct);
            await tx.CommitAsync(ct);
        }
        await incidents.AddEventAsync(incidentId, "runbook", "page-requested",
            $"page {role}: {message} (paged: {(pages.Count == 0 ? "nobody reachable" : string.Join(", ", people.Select(p => p.Name)))})", new { role, pages = pages.Count }, ct);
        if (pages.Count == 0)
            logger.LogWarning("Incident {IncidentId}: no reachable {Role} for an overdue step: {Message}", incidentId, role, message);
    }

    private IReadOnlyList<Person> PeopleFor(string role)
    {
        int Level(int wanted) => Math.Min(wanted, Math.Max(1, onCall.LevelCount));
        return role switch
        {
            "engineer" => onCall.OnDutyNow().Agents,
            "team-lead" => onCall.EscalationTargets(Level(2)),
            "manager" => onCall.EscalationTargets(Level(3)),
            _ => onCall.EscalationTargets(1),
        };
    }
}

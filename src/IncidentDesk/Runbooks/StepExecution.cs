using System.Text.Json.Nodes;
using IncidentDesk.Incidents;

namespace IncidentDesk.Runbooks;

/// <summary>What an automated step works on: the incident, its stored step and the runbook's definition.</summary>
/// <param name="Checkpoint">Merges facts into the step's stored result at once, so a crash after it keeps them (intents, previous states).</param>
public sealed record StepRun(Incident Incident, StepRow Step, RunbookStep Definition, JsonObject Result, Func<JsonObject, Task> Checkpoint);

/// <summary>The outcome of one attempt of an automated step.</summary>
public abstract record StepOutcome
{
    /// <summary>The step is done; <paramref name="Message"/> goes on the timeline.</summary>
    public sealed record Done(string Message, JsonObject Result) : StepOutcome;

    /// <summary>Try again later: at <paramref name="After"/> if the far side said when (429 Retry-After), else after the engine's backoff.</summary>
    public sealed record Retry(string Error, TimeSpan? After = null) : StepOutcome;
}

/// <summary>
/// Runs one automated step kind. Implementations must be safe to run again after a crash at any point:
/// they record an intent (<see cref="StepRun.Checkpoint"/>) before a side effect and look for it first on a retry.
/// Expected failures (vendor down, 429, 500) are returned as <see cref="StepOutcome.Retry"/>, not thrown.
/// </summary>
public interface IStepExecutor
{
    string Kind { get; }

    Task<StepOutcome> ExecuteAsync(StepRun run, CancellationToken ct);
}

/// <summary>
/// Pages the owner role of an overdue step. The paging core (outbox, on-call, Slack/e-mail) is wired in at
/// merge; callers need not retry: the implementation records the request durably.
/// </summary>
public interface IStepOwnerPager
{
    Task PageAsync(long incidentId, string role, string message, CancellationToken ct);
}

/// <summary>
/// Test-only fault hook (<c>Runbooks:Testing:HoldAfterSideEffect</c> = a step kind): after the step's first
/// external side effect, and before it is recorded as done, the step waits until the process is killed. It lets
/// the crash tests kill the process at the one dangerous moment instead of hoping to hit it.
/// </summary>
public sealed class StepFaultHook(IConfiguration configuration)
{
    public async Task AfterSideEffectAsync(string kind, CancellationToken ct)
    {
        if (configuration["Runbooks:Testing:HoldAfterSideEffect"] == kind)
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
    }
}

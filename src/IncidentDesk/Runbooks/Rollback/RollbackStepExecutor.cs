using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks.Rollback;

/// <summary>
/// <c>rollback</c>: switches the incident's feature flag (step setting <c>flag</c>, else the incident's <c>flag</c>
/// label) to the step's <c>to</c> state (default off), records the state before, and verifies by reading back.
/// Switching is idempotent by nature; the previous state is recorded once, before the first switch, so a
/// retry after a crash does not mistake the rolled-back state for the original one.
/// </summary>
public sealed class RollbackStepExecutor(IServiceProvider services, IOptions<FeatureFlagsOptions> options, StepFaultHook faults) : IStepExecutor
{
    public string Kind => StepKinds.Rollback;

    public IFeatureFlagProvider? Provider => options.Value.Provider switch
    {
        "unleash" => services.GetRequiredService<UnleashFlags>(),
        "flagd" => services.GetRequiredService<FlagdFileFlags>(),
        _ => null,
    };

    public async Task<StepOutcome> ExecuteAsync(StepRun run, CancellationToken ct)
    {
        var flag = run.Definition.Setting("flag") ?? run.Incident.Labels.GetValueOrDefault("flag");
        if (string.IsNullOrWhiteSpace(flag))
            return new StepOutcome.Retry("no feature flag named: set the step's 'flag' or the incident's 'flag' label");
        if (Provider is not { } provider)
            return new StepOutcome.Retry("FeatureFlags:Provider is not configured: no flag can be switched");
        var target = (run.Definition.Setting("to") ?? "off") == "on";
        try
        {
            bool previous;
            if (run.Result["previous"] is { } recorded)
            {
                previous = recorded.GetValue<bool>();
            }
            else
            {
                previous = await provider.IsEnabledAsync(flag, ct);
                await run.Checkpoint(new JsonObject { ["flag"] = flag, ["provider"] = provider.Name, ["previous"] = previous });
            }
            await provider.SetAsync(flag, target, ct);
            await faults.AfterSideEffectAsync(Kind, ct);
            var now = await provider.IsEnabledAsync(flag, ct);
            if (now != target)
                return new StepOutcome.Retry($"flag '{flag}' reads {OnOff(now)} after switching it {OnOff(target)}");
            var result = new JsonObject { ["flag"] = flag, ["provider"] = provider.Name, ["previous"] = previous, ["current"] = now, ["verified"] = true };
            return new StepOutcome.Done(
                $"feature flag '{flag}' switched {OnOff(target)} via {provider.Name} (was {OnOff(previous)}), verified by reading it back; " +
                $"reverse with POST /api/v1/incidents/{run.Incident.Id}/steps/{run.Step.StepId}/reverse",
                result);
        }
        catch (VendorException e)
        {
            return VendorHttp.Retry(e);
        }
    }

    /// <summary>Puts the flag back to its recorded previous state and verifies it; the error text when it cannot.</summary>
    public async Task<string?> ReverseAsync(StepRow step, CancellationToken ct)
    {
        var result = step.Result;
        if (result["flag"]?.GetValue<string>() is not { } flag || result["previous"] is not { } previousNode)
            return "the step recorded no previous flag state";
        if (Provider is not { } provider)
            return "FeatureFlags:Provider is not configured";
        var previous = previousNode.GetValue<bool>();
        try
        {
            await provider.SetAsync(flag, previous, ct);
            var now = await provider.IsEnabledAsync(flag, ct);
            return now == previous ? null : $"flag '{flag}' reads {OnOff(now)} after switching it back {OnOff(previous)}";
        }
        catch (VendorException e)
        {
            return e.Message;
        }
    }

    public static string OnOff(bool enabled) => enabled ? "on" : "off";
}

using IncidentDesk.Web;
using Prometheus;

namespace IncidentDesk.OnCall;

/// <summary>
/// <c>incidentdesk_oncall_on_duty{shift,role,user}</c> = 1 for each person on duty now, read from the schedule at
/// scrape time so the "who is on duty" panel follows shift changes without a job. People leave the series when
/// their shift ends; the label values are bounded by the people in oncall.yaml.
/// </summary>
internal static class OnCallMetrics
{
    private static readonly Gauge OnDuty = Metrics.CreateGauge(
        "incidentdesk_oncall_on_duty", "1 for each person on duty now, by shift and role (lead or agent).", "shift", "role", "user");

    private static readonly Lock Gate = new();
    private static HashSet<(string Shift, string Role, string User)> published = [];

    public static void Register(OnCallDirectory directory, ScrapeRefresh scrape) =>
        scrape.Add(_ =>
        {
            // A broken schedule is reported by check and at start; until then the last values stay.
            var duty = directory.OnDutyNow();
            HashSet<(string Shift, string Role, string User)> now = [(duty.Shift, "lead", duty.Lead.Id), .. duty.Agents.Select(a => (duty.Shift, "agent", a.Id))];
            lock (Gate)
            {
                foreach (var gone in published.Except(now))
                    OnDuty.RemoveLabelled(gone.Shift, gone.Role, gone.User);
                foreach (var (shift, role, user) in now)
                    OnDuty.WithLabels(shift, role, user).Set(1);
                published = now;
            }
            return Task.CompletedTask;
        });
}

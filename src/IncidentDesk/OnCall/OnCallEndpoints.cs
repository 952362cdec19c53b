using System.Globalization;
using IncidentDesk.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IncidentDesk.OnCall;

public static class OnCallExtensions
{
    public static IServiceCollection AddOnCall(this IServiceCollection services)
    {
        services.AddSingleton<OnCallDirectory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Configuration.ICheck, OnCallCheck>());
        return services;
    }

    /// <summary><c>GET /api/v1/oncall?at=</c>: who is on duty (now when <c>at</c> is absent).</summary>
    public static void MapOnCall(this RouteGroupBuilder api)
    {
        var services = ((IEndpointRouteBuilder)api).ServiceProvider;
        OnCallMetrics.Register(services.GetRequiredService<OnCallDirectory>(), services.GetRequiredService<ScrapeRefresh>());
        api.MapGet("/oncall", (string? at, OnCallDirectory directory, TimeProvider time) =>
        {
            var when = time.GetUtcNow();
            if (!string.IsNullOrWhiteSpace(at)
                && !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out when))
                return Problems.BadRequest($"at must be an ISO 8601 time such as 2026-12-24T09:00:00Z (got '{at}')");
            var duty = directory.OnDutyAt(when);
            var schedule = directory.Schedule;
            return Results.Ok(new
            {
                duty.At,
                duty.TimeZone,
                shift = new { name = duty.Shift, startsAt = duty.ShiftStartsAt, endsAt = duty.ShiftEndsAt },
                lead = duty.Lead,
                agents = duty.Agents,
                overrides = duty.OverridesApplied,
                escalation = schedule.Escalation.Select(l => new
                {
                    l.Level,
                    people = ScheduleResolver.Escalation(schedule, l.Level, when),
                }),
            });
        }).AllowRoles(Roles.ShiftLead, Roles.Engineer, Roles.Manager, Roles.Admin);
    }
}

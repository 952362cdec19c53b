using IncidentDesk.Telephony;
using IncidentDesk.Telephony.Twilio;
using IncidentDesk.Ticketing.Freshdesk;
using IncidentDesk.Ticketing.Jira;
using IncidentDesk.Ticketing.Otrs;
using IncidentDesk.Ticketing.Simulated;
using IncidentDesk.Ticketing.Zendesk;
using Quartz;

namespace IncidentDesk.Ticketing;

/// <summary>Polls Zendesk: tickets with their metrics, then CSAT ratings, then Zendesk's own SLA verdicts.</summary>
[DisallowConcurrentExecution]
public sealed class PollZendeskJob(SourcePoller poller, ZendeskTicketSource tickets, ZendeskRatingSource ratings, ZendeskSlaEventSource slaEvents) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await poller.PollAsync(tickets, cancellationToken);
        await poller.PollAsync(ratings, cancellationToken);
        await poller.PollAsync(slaEvents, cancellationToken);
    }
}

/// <summary>Polls Jira Service Management: updated requests with their first-response SLA.</summary>
[DisallowConcurrentExecution]
public sealed class PollJiraJob(SourcePoller poller, JiraTicketSource requests) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await poller.PollAsync(requests, cancellationToken);
}

/// <summary>Polls Freshdesk: tickets updated since the cursor, with their stats.</summary>
[DisallowConcurrentExecution]
public sealed class PollFreshdeskJob(SourcePoller poller, FreshdeskTicketSource tickets) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await poller.PollAsync(tickets, cancellationToken);
}

/// <summary>Polls OTRS/Znuny: tickets changed since the cursor, with their first-response fields.</summary>
[DisallowConcurrentExecution]
public sealed class PollOtrsJob(SourcePoller poller, OtrsTicketSource tickets) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await poller.PollAsync(tickets, cancellationToken);
}

/// <summary>Polls the built-in simulated desk.</summary>
[DisallowConcurrentExecution]
public sealed class PollSimulatedDeskJob(SourcePoller poller, SimulatedDeskSource desk) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await poller.PollAsync(desk, cancellationToken);
}

/// <summary>Tails the Asterisk queue_log.</summary>
[DisallowConcurrentExecution]
public sealed class PollAsteriskQueueLogJob(SourcePoller poller, AsteriskQueueLogSource queueLog) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await poller.PollAsync(queueLog, cancellationToken);
}

/// <summary>Polls Twilio: the Calls list, then (when queues are configured) TaskRouter queue statistics per finished window.</summary>
[DisallowConcurrentExecution]
public sealed class PollTwilioJob(SourcePoller poller, TwilioCallSource calls, IServiceProvider services) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await poller.PollAsync(calls, cancellationToken);
        if (services.GetService<TwilioQueueStatisticsSource>() is { } statistics)
            await poller.PollAsync(statistics, cancellationToken);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using IncidentDesk.Incidents;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Runbooks.Communicate;

/// <summary>
/// <c>communicate</c>: the customer notice with the ETA to the requesters of the incident's affected tickets
/// (label <c>tickets</c>, Zendesk ids), by e-mail and/or as a public ticket comment.
/// <para>
/// Idempotency: a <c>runbook_notices</c> row per ticket, channel and ETA version is written 'sending' before the
/// send and 'sent' after. A mail whose row a retry finds 'sending' is NOT sent again (marked 'uncertain' on the
/// timeline for a person to check): the handbook's promise is never to mail a customer twice. A comment is
/// looked up on the ticket by its reference line first, so comments are exactly once.
/// </para>
/// </summary>
internal sealed class CommunicateStepExecutor(
    RunbookCatalog catalog,
    RunbookStore store,
    ZendeskCustomers zendesk,
    ICustomerMailSender mail,
    IncidentService incidents,
    StepFaultHook faults,
    IOptions<RunbooksOptions> options,
    TimeProvider time) : IStepExecutor
{
    public string Kind => StepKinds.Communicate;

    public static IReadOnlyList<string> AffectedTickets(Incident incident) =>
        incident.Labels.TryGetValue("tickets", out var tickets)
            ? tickets.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList()
            : [];

    public async Task<StepOutcome> ExecuteAsync(StepRun run, CancellationToken ct)
    {
        var definition = run.Definition;
        var template = definition.Setting("template")!;
        var channels = (definition.Setting("channels") ?? "email").Split(',', StringSplitOptions.TrimEntries);
        var tickets = AffectedTickets(run.Incident);
        if (tickets.Count == 0)
            return new StepOutcome.Done("no affected tickets on the incident (label 'tickets'): no customer notice sent", []);
        if (!zendesk.Configured)
            return new StepOutcome.Retry("neither Runbooks:Zendesk nor Ticketing:Zendesk is configured: the requesters cannot be looked up");
        if (channels.Contains("email") && !mail.Configured)
            return new StepOutcome.Retry("Smtp is not configured (Host and From): no customer e-mail can be sent");

        var now = time.GetUtcNow();
        var eta = await store.EnsureEtaAsync(run.Incident.Id, now + RunbookParser.ParseDuration(definition.Setting("eta")!)!.Value, "runbook", now, ct);
        var produkt = definition.Setting("produkt") ?? run.Incident.Labels.GetValueOrDefault("produkt") ?? run.Incident.Labels.GetValueOrDefault("product") ?? run.Incident.Title;
        var counts = new Dictionary<string, int> { ["email"] = 0, ["comment"] = 0 };
        var failures = new List<string>();
        TimeSpan? retryAfter = null;

        foreach (var ticket in tickets)
        {
            Requester? requester = null;
            foreach (var channel in channels)
            {
                var key = new RunbookStore.NoticeKey(run.Incident.Id, run.Step.StepId, ticket, channel, eta.Version);
                var messageKey = $"incident-{run.Incident.Id}.{run.Step.StepId}.t{ticket}.{channel}.v{eta.Version}@incidentdesk";
                var state = await store.NoticeStateAsync(key, ct);
                if (state is "sent" or "uncertain" or "no-address")
                    continue;
                try
                {
                    if (state == "sending")
                    {
                        if (channel == "email")
                        {
                            await store.SetNoticeStateAsync(key, messageKey, "uncertain", null, time.GetUtcNow(), ct);
                            await incidents.AddEventAsync(run.Incident.Id, "runbook", "notice-uncertain",
                                $"customer e-mail for ticket {ticket} may or may not have gone out before a crash; not resent (never twice). Check the mail server's log for Message-ID <{messageKey}>.",
                                new { ticket, messageKey }, ct);
                            continue;
                        }
                        if (await zendesk.HasCommentAsync(ticket, messageKey, ct))
                        {
                            await store.SetNoticeStateAsync(key, messageKey, "sent", null, time.GetUtcNow(), ct);
                            counts[channel]++;
                            continue;
                        }
                    }

                    requester ??= await zendesk.RequesterAsync(ticket, ct);
                    var language = requester.Locale?.StartsWith("de", StringComparison.OrdinalIgnoreCase) == true ? "de" : "en";
                    var notice = catalog.Templates.Render(template, language, new NoticeModel(
                        ticket, requester.Name, produkt, FormatEta(eta.At, language), run.Incident.Id, run.Incident.Title));
                    if (channel == "email")
                    {
                        if (string.IsNullOrWhiteSpace(requester.Email))
                        {
                            await store.SetNoticeStateAsync(key, messageKey, "no-address", language, time.GetUtcNow(), ct);
                            continue;
                        }
                        await store.SetNoticeStateAsync(key, messageKey, "sending", language, time.GetUtcNow(), ct);
                        try
                        {
                            await mail.SendAsync(new CustomerMail(requester.Name, requester.Email, notice.Subject, notice.Body, messageKey), ct);
                        }
                        catch (MailNotSentException e)
                        {
                            await store.DeleteNoticeAsync(key, ct);
                            failures.Add($"ticket {ticket} e-mail: {e.Message}");
                            continue;
                        }
                        await faults.AfterSideEffectAsync(Kind, ct);
                    }
                    else
                    {
                        await store.SetNoticeStateAsync(key, messageKey, "sending", language, time.GetUtcNow(), ct);
                        try
                        {
                            await zendesk.AddPublicCommentAsync(ticket, $"{notice.Body.TrimEnd()}\n\n(Ref. {messageKey})", ct);
                        }
                        catch (VendorException e) when (e.Status is not null)
                        {
                            // Zendesk answered with an error: the comment was not added.
                            await store.DeleteNoticeAsync(key, ct);
                            throw;
                        }
                    }
                    await store.SetNoticeStateAsync(key, messageKey, "sent", language, time.GetUtcNow(), ct);
                    counts[channel]++;
                }
                catch (VendorException e)
                {
                    failures.Add($"ticket {ticket} {channel}: {e.Message}");
                    if (e.RetryAfter is { } after && (retryAfter is null || after > retryAfter))
                        retryAfter = after;
                }
            }
        }

        if (failures.Count > 0)
            return new StepOutcome.Retry(string.Join("; ", failures), retryAfter);
        var result = new JsonObject { ["template"] = template, ["eta"] = eta.At.ToString("O"), ["etaVersion"] = eta.Version, ["tickets"] = tickets.Count };
        return new StepOutcome.Done(
            $"customer notice '{template}' with ETA {FormatEta(eta.At, "en")} (version {eta.Version}) for {tickets.Count} ticket(s): {counts["email"]} e-mail(s), {counts["comment"]} comment(s) sent in this attempt",
            result);
    }

    private string FormatEta(DateTimeOffset eta, string language)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.CustomerTimeZone);
        var local = TimeZoneInfo.ConvertTime(eta, zone);
        return language == "de"
            ? local.ToString("dd.MM.yyyy, HH:mm", CultureInfo.InvariantCulture) + $" Uhr ({zone.Id})"
            : local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + $" ({zone.Id})";
    }
}

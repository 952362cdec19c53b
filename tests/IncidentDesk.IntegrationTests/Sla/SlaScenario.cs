using System.Globalization;
using Dapper;
using IncidentDesk.Incidents;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Sla;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Sla;

/// <summary>
/// A fresh database per scenario (the rollup watermark is data-driven, so scenarios must not share
/// contacts), a fake clock, contacts loaded through the real <see cref="ContactStore"/> and the real
/// evaluator and incident service.
/// </summary>
internal sealed class SlaScenario : IAsyncDisposable
{
    public const string Calendar = """
        calendars:
          office:
            time_zone: Europe/Berlin
            hours:
              mon-fri: "09:00-18:00"
            holidays: [2026-12-24, 2026-12-25]
        rules:

        """;

    private readonly TestDatabase database = new();
    private int nextId;

    private SlaScenario(DateTimeOffset now)
    {
        Time = new FakeTimeProvider(now);
    }

    public FakeTimeProvider Time { get; }
    public TestDatabase Database => database;
    public IncidentService Incidents { get; private set; } = null!;
    public SlaEvaluator Evaluator { get; private set; } = null!;
    public DateTimeOffset Now => Time.GetUtcNow();

    public static async Task<SlaScenario> CreateAsync(DateTimeOffset now)
    {
        var scenario = new SlaScenario(now);
        await scenario.database.InitializeAsync();
        scenario.Incidents = new IncidentService(scenario.database.DataSource, scenario.Time, []);
        scenario.Evaluator = new SlaEvaluator(scenario.database.DataSource, scenario.Incidents, Options.Create(new SlaOptions()), NullLogger<SlaEvaluator>.Instance);
        return scenario;
    }

    /// <summary>Parses rules written after the shared calendar; fails the test on any problem.</summary>
    public static SlaRuleSet Rules(string rulesYaml)
    {
        var result = SlaRulesFile.Parse(Calendar + rulesYaml, "test.yaml");
        result.Problems.Select(p => p.ToString()).Should().BeEmpty();
        return result.RuleSet!;
    }

    public Task<SlaEvaluator.CycleReport> EvaluateAsync(SlaRuleSet rules) => Evaluator.EvaluateAsync(rules, Now, default);

    /// <summary>A ticket; <paramref name="respondedAt"/> null means still unanswered.</summary>
    public Contact Ticket(string channel, DateTimeOffset created, DateTimeOffset? respondedAt, string? priority = "medium", int? onHold = null, string status = "open", bool paused = false, bool agentError = false) => new()
    {
        Source = "sim",
        ExternalId = NextId(),
        Channel = channel,
        Priority = priority,
        Status = status,
        Queue = "support",
        CreatedAt = created,
        FirstResponseAt = respondedAt,
        OnHoldSeconds = onHold,
        SlaPaused = paused ? true : null,
        EscalatedAgentError = agentError,
        EscalatedToTech = agentError,
        SourceUpdatedAt = Now,
    };

    public Contact Call(DateTimeOffset created, bool answered, int waitSeconds, bool abandoned = false) => new()
    {
        Source = "sim",
        ExternalId = NextId(),
        Kind = ContactKind.Call,
        Channel = Channels.Phone,
        Status = "closed",
        CreatedAt = created,
        Answered = answered,
        Abandoned = abandoned,
        WaitSeconds = waitSeconds,
        SourceUpdatedAt = Now,
    };

    /// <summary>Upserts contacts (and ratings) as a poller would, with ingested_at = the fake now.</summary>
    public async Task IngestAsync(IReadOnlyCollection<Contact> contacts, IReadOnlyCollection<ContactRating>? ratings = null)
    {
        var store = new ContactStore(database.DataSource, Time);
        await store.CommitPageAsync("sim", null, contacts, ratings ?? [], default);
    }

    public Task IngestAsync(params Contact[] contacts) => IngestAsync((IReadOnlyCollection<Contact>)contacts);

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>The naive count straight from contacts, for comparison with the rollup path.</summary>
    public async Task<Dictionary<string, Tally>> NaiveAsync(SlaRuleSet set, string rule, DateTimeOffset from)
    {
        var r = set.Rules.Single(x => x.Name == rule);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await SlaStore.TallyFromContactsAsync(connection, null, r, set.CalendarOf(r), from, Now, Now, default);
    }

    public async ValueTask DisposeAsync() => await database.DisposeAsync();

    private string NextId() => (++nextId).ToString(CultureInfo.InvariantCulture);
}

using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The batched upsert into <c>contacts</c> against the real schema.</summary>
public sealed class ContactStoreUpsertTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static Contact Ticket(string source, int id, DateTimeOffset updated, string status = Statuses.Open) => new()
    {
        Source = source,
        ExternalId = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Channel = id % 2 == 0 ? Channels.Email : Channels.Telegram,
        Priority = Priorities.High,
        Status = status,
        Queue = "42",
        CreatedAt = T0.AddMinutes(id),
        FirstResponseAt = T0.AddMinutes(id + 7),
        FirstResponseBusinessSeconds = 300,
        SourceUpdatedAt = updated,
    };

    [PostgresFact]
    public async Task Rereading_a_page_changes_nothing_and_a_newer_version_replaces_the_row()
    {
        var time = new FakeTimeProvider(T0.AddHours(1));
        var store = new ContactStore(database.DataSource, time);
        var page = Enumerable.Range(1, 500).Select(i => Ticket("upsert-a", i, T0.AddHours(1))).ToList();

        (await store.CommitPageAsync("upsert-a", "c1", page, [], default)).ContactsWritten.Should().Be(500);
        time.Advance(TimeSpan.FromMinutes(5));
        (await store.CommitPageAsync("upsert-a", "c1", page, [], default)).ContactsWritten.Should().Be(0, "the same page read twice");

        var ingested = await Scalar<DateTime>("SELECT max(ingested_at) FROM contacts WHERE source = 'upsert-a'");
        ingested.Should().Be(T0.AddHours(1).UtcDateTime, "a re-read does not even touch ingested_at");

        // An older version arriving late is ignored; a newer one wins.
        var older = Ticket("upsert-a", 7, T0, Statuses.New);
        var newer = Ticket("upsert-a", 8, T0.AddHours(2), Statuses.Solved) with { SolvedAt = T0.AddHours(2) };
        (await store.CommitPageAsync("upsert-a", "c2", [older, newer], [], default)).ContactsWritten.Should().Be(1);
        (await Scalar<string>("SELECT status FROM contacts WHERE source = 'upsert-a' AND external_id = '7'")).Should().Be("open");
        (await Scalar<string>("SELECT status FROM contacts WHERE source = 'upsert-a' AND external_id = '8'")).Should().Be("solved");
        (await Scalar<long>("SELECT count(*) FROM contacts WHERE source = 'upsert-a'")).Should().Be(500);
        (await Scalar<string>("SELECT cursor FROM ingestion_sources WHERE source = 'upsert-a'")).Should().Be("c2");
        (await store.LoadCursorAsync("upsert-a", default)).Should().Be("c2");
    }

    [PostgresFact]
    public async Task Derived_first_response_seconds_and_messenger_channel_are_stored()
    {
        var store = new ContactStore(database.DataSource, new FakeTimeProvider(T0));
        await store.CommitPageAsync("upsert-b", null, [Ticket("upsert-b", 3, T0)], [new ContactRating("upsert-b", "3", Good: false, T0.AddDays(1))], default);

        var row = (await Query<(string Channel, int FirstResponseSeconds, int Business)>(
            "SELECT channel, first_response_seconds, first_response_business_seconds FROM contacts WHERE source = 'upsert-b'")).Single();
        row.Should().Be(("messenger:telegram", 7 * 60, 300));
        (await Scalar<string>("SELECT rating FROM contact_ratings WHERE source = 'upsert-b' AND external_id = '3'")).Should().Be("bad");
        (await store.LoadCursorAsync("upsert-b", default)).Should().BeNull("no cursor was given");
    }

    [PostgresFact]
    public async Task A_batch_holding_the_same_ticket_twice_keeps_the_newest()
    {
        var store = new ContactStore(database.DataSource, new FakeTimeProvider(T0));
        var page = new[] { Ticket("upsert-c", 1, T0.AddMinutes(5), Statuses.Pending), Ticket("upsert-c", 1, T0.AddMinutes(1), Statuses.New) };
        (await store.CommitPageAsync("upsert-c", "x", page, [], default)).ContactsWritten.Should().Be(1);
        (await Scalar<string>("SELECT status FROM contacts WHERE source = 'upsert-c'")).Should().Be("pending");
    }

    [PostgresFact]
    public async Task Writers_storing_the_same_new_page_at_once_store_each_row_once_and_count_it_once()
    {
        // A backfill and the poller may write the same rows at once: ON CONFLICT settles it row by row.
        var store = new ContactStore(database.DataSource, new FakeTimeProvider(T0.AddHours(1)));
        var page = Enumerable.Range(1, 300).Select(i => Ticket("upsert-e", i, T0.AddHours(1))).ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(() => store.CommitPageAsync($"upsert-e-{w}", "c", page, [], default))));

        results.Sum(r => r.ContactsWritten).Should().Be(300);
        (await Scalar<long>("SELECT count(*) FROM contacts WHERE source = 'upsert-e'")).Should().Be(300);
        (await Scalar<long>("SELECT count(*) FROM ingestion_sources WHERE source LIKE 'upsert-e-%'")).Should().Be(6, "every writer committed its cursor");
    }

    [PostgresFact]
    public async Task An_unknown_channel_is_refused_with_the_contact_named_and_nothing_is_written()
    {
        var store = new ContactStore(database.DataSource, new FakeTimeProvider(T0));
        var bad = Ticket("upsert-d", 2, T0) with { Channel = "pigeon" };
        var act = () => store.CommitPageAsync("upsert-d", "y", [Ticket("upsert-d", 1, T0), bad], [], default);
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*upsert-d contact 2*pigeon*");
        (await Scalar<long>("SELECT count(*) FROM contacts WHERE source = 'upsert-d'")).Should().Be(0);
        (await store.LoadCursorAsync("upsert-d", default)).Should().BeNull();
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException("null");
    }

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}

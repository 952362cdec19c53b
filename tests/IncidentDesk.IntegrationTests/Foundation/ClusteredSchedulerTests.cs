using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;
using Npgsql;
using Quartz;

namespace IncidentDesk.IntegrationTests.Foundation;

/// <summary>Two service nodes on one database share Quartz's clustered job store: each trigger fires on one node.</summary>
public sealed class ClusteredSchedulerTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [PostgresFact]
    public async Task A_job_scheduled_once_fires_exactly_once_across_two_nodes()
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("CREATE TABLE job_runs (job text NOT NULL, node text NOT NULL)");

        await using var nodeA = await TestService.StartAsync(database);
        await using var nodeB = await TestService.StartAsync(database);
        var schedulerA = await nodeA.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var schedulerB = await nodeB.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        schedulerA.SchedulerInstanceId.Should().NotBe(schedulerB.SchedulerInstanceId);

        const int jobs = 30;
        var time = TimeProvider.System;
        for (var i = 0; i < jobs; i++)
        {
            var job = JobBuilder.Create<RecordRunJob>().WithIdentity($"once-{i}").UsingJobData("name", $"once-{i}").Build();
            // Half the jobs are scheduled through each node; a trigger may fire on either.
            var trigger = TriggerBuilder.Create(time).WithIdentity($"once-{i}").StartAt(time.GetUtcNow().AddMilliseconds(200)).Build();
            await (i % 2 == 0 ? schedulerA : schedulerB).ScheduleJob(job, trigger);
        }

        // Done when the store holds no trigger and no firing in progress: from then on nothing can run again.
        await Eventually.Until(
            () => QueryAsync<long>("SELECT (SELECT count(*) FROM qrtz_triggers WHERE trigger_name LIKE 'once-%') + (SELECT count(*) FROM qrtz_fired_triggers WHERE trigger_name LIKE 'once-%')"),
            r => r.Single() == 0, TimeSpan.FromSeconds(30), "every trigger fired and completed");
        var runs = await QueryAsync<(string Job, string Node)>("SELECT job, node FROM job_runs");
        runs.Select(r => r.Job).Should().OnlyHaveUniqueItems().And.HaveCount(jobs);
        runs.Select(r => r.Node).Should().BeSubsetOf([schedulerA.SchedulerInstanceId, schedulerB.SchedulerInstanceId]);

        var nodes = await QueryAsync<string>("SELECT instance_name FROM qrtz_scheduler_state");
        nodes.Should().BeEquivalentTo([schedulerA.SchedulerInstanceId, schedulerB.SchedulerInstanceId], "both nodes checked in to the cluster");
    }

    private async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }

    /// <summary>Records which node ran it.</summary>
    public sealed class RecordRunJob(NpgsqlDataSource dataSource) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync("INSERT INTO job_runs (job, node) VALUES (@job, @node)",
                new { job = context.MergedJobDataMap.GetString("name"), node = context.Scheduler.SchedulerInstanceId });
        }
    }
}

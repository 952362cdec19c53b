using IncidentDesk.Configuration;
using IncidentDesk.Scheduling;
using IncidentDesk.Web;
using Microsoft.Extensions.Options;

namespace IncidentDesk.UnitTests.Foundation;

public sealed class OptionsValidationTests
{
    [Fact]
    public void ApiKey_hash_is_lowercase_hex_sha256_of_the_key()
    {
        // sha256("abc"), FIPS 180-2 test vector.
        ApiKey.Hash("abc").Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    [Fact]
    public void Auth_options_name_each_bad_key_by_its_full_path()
    {
        var options = new AuthOptions
        {
            ApiKeys =
            [
                new ApiKey { Name = "ok", KeyHash = ApiKey.Hash("k"), Role = Roles.Admin },
                new ApiKey { Name = "ok", KeyHash = "xyz", Role = "root" },
            ],
        };
        options.Validate("Auth").Should().BeEquivalentTo(
            "Auth:ApiKeys:1:Name: 'ok' is used twice",
            "Auth:ApiKeys:1:KeyHash: must be the 64-character hex SHA-256 of the key",
            "Auth:ApiKeys:1:Role: 'root' is not one of shift-lead, engineer, manager, admin");
    }

    [Fact]
    public void Valid_auth_options_have_no_problems()
    {
        new AuthOptions { ApiKeys = [new ApiKey { Name = "a", KeyHash = ApiKey.Hash("k"), Role = Roles.ShiftLead }] }
            .Validate("Auth").Should().BeEmpty();
    }

    [Fact]
    public void Scheduler_idle_wait_below_quartz_minimum_is_refused()
    {
        new SchedulerOptions { IdleWaitTime = TimeSpan.FromMilliseconds(100) }.Validate("Scheduler")
            .Should().ContainSingle().Which.Should().StartWith("Scheduler:IdleWaitTime:");
    }

    [Fact]
    public void Describe_turns_validation_and_binding_failures_into_one_line()
    {
        OptionsRegistration.Describe(new OptionsValidationException("x", typeof(object), ["A:B: bad", "A:C: worse"]))
            .Should().Be("configuration: A:B: bad; A:C: worse");
        OptionsRegistration.Describe(new InvalidOperationException("Failed to convert configuration value 'x' at 'Paging:AckTimeout' to type 'System.TimeSpan'."))
            .Should().Contain("Paging:AckTimeout");
        OptionsRegistration.Describe(new InvalidOperationException("something else")).Should().BeNull();
    }
}

using Microsoft.Extensions.Options;

namespace IncidentDesk.Configuration;

/// <summary>Options that check themselves; each problem names its full configuration key.</summary>
public interface IValidatedOptions
{
    /// <summary>Problems as "Section:Key: message"; empty when the options are usable.</summary>
    IEnumerable<string> Validate(string section);
}

public static class OptionsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> and validates it at start.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class, IValidatedOptions
    {
        services.AddSingleton<IValidateOptions<T>>(new SelfValidation<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class SelfValidation<T>(string section) : IValidateOptions<T> where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = options.Validate(section).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    /// <summary>
    /// Turns a configuration failure into the one line an operator needs, or null when the exception
    /// is not about configuration (then it is a bug and keeps its stack trace).
    /// </summary>
    public static string? Describe(Exception exception) => exception switch
    {
        OptionsValidationException e => "configuration: " + string.Join("; ", e.Failures),
        // The binder's own message names the key: "Failed to convert configuration value 'x' at 'Paging:AckTimeout' to type ...".
        InvalidOperationException e when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => "configuration: " + e.Message,
        AggregateException { InnerExceptions.Count: > 0 } e => Describe(e.InnerExceptions[0]),
        _ when exception.InnerException is not null => Describe(exception.InnerException),
        _ => null,
    };
}

using Microsoft.Extensions.Options;

namespace Realtime.Server.Auth;

internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        List<string> failures = [];
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Audience is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Authority))
        {
            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add("Auth:Issuer is required when Auth:Authority is not set.");
            }

            if (string.IsNullOrEmpty(options.SigningKey) || System.Text.Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
            {
                failures.Add("Auth:SigningKey must be at least 32 bytes (HS256) when Auth:Authority is not set.");
            }
        }
        else if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out _))
        {
            failures.Add("Auth:Authority must be an absolute URL.");
        }

        if (options.DevTokens && string.IsNullOrEmpty(options.SigningKey))
        {
            failures.Add("Auth:DevTokens needs Auth:SigningKey to sign the tokens.");
        }

        if (environment.IsProduction())
        {
            if (options.DevTokens)
            {
                failures.Add("Auth:DevTokens must be off in Production.");
            }

            if (!options.RequireHttpsMetadata)
            {
                failures.Add("Auth:RequireHttpsMetadata must stay on in Production.");
            }

            if (options.SigningKey == AuthOptions.DevelopmentSigningKey)
            {
                failures.Add("Auth:SigningKey is the public development key; set a secret key in Production.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add("Auth:ClockSkew must be between 0 and 5 minutes.");
        }

        if (options.ConnectTokenReuse < TimeSpan.Zero || options.ConnectTokenReuse > TimeSpan.FromMinutes(1))
        {
            failures.Add("Auth:ConnectTokenReuse must be between 0 and 1 minute.");
        }

        if (options.ConnectTokenReuseEntries is < 1 or > 1_000_000)
        {
            failures.Add("Auth:ConnectTokenReuseEntries must be between 1 and 1000000.");
        }

        if (options.MetadataRefreshInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Auth:MetadataRefreshInterval must be at least one second.");
        }

        if (options.DevTokenLifetime <= TimeSpan.Zero)
        {
            failures.Add("Auth:DevTokenLifetime must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Startup;

public sealed class StartupValidationTests
{
    public static TheoryData<string, string?, string> InvalidSettings() => new()
    {
        { "Chat:MaxPageSize", "0", "Development" },
        { "Chat:MaxContentLength", "-1", "Development" },
        { "Chat:HubCallsPerSecond", "0", "Development" },
        { "Chat:DeliveryGapWait", "00:00:00", "Development" },
        { "Chat:MaxDeliveryGapFill", "0", "Development" },
        { "Chat:MaxTopicLength", "0", "Development" },
        { "Chat:MaxTopicLength", "1001", "Development" },
        { "Chat:PresenceFanOutWindow", "00:00:02", "Development" },
        { "Auth:SigningKey", "too-short", "Development" },
        { "Auth:Audience", "", "Development" },
        { "Auth:SigningKey", "realtime-development-signing-key-not-for-production-use", "Production" },
        { "Auth:DevTokens", "true", "Production" },
        { "Auth:ConnectTokenReuse", "00:02:00", "Development" },
        { "Auth:ConnectTokenReuseEntries", "0", "Development" },
        { "ConnectionStrings:Chat", "", "Development" },
        { "Admin:StatsInterval", "00:00:00", "Development" },
        { "Admin:StatsTimeToLive", "00:00:03", "Development" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task The_service_refuses_to_start_with_an_invalid_setting(string key, string? value, string environment)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (environment == "Production" && key != "Auth:DevTokens")
        {
            settings["Auth:DevTokens"] = "false";
        }

        var start = () => ChatServer.StartAsync(settings, environment);

        var refused = await start.Should().ThrowAsync<OptionsValidationException>();
        refused.Which.Message.Should().Contain(key.Split(':')[0]);
    }

    [Fact]
    public async Task The_service_starts_in_production_with_a_real_key_and_no_dev_tokens()
    {
        await using var server = await ChatServer.StartAsync(
            new Dictionary<string, string?> { ["Auth:DevTokens"] = "false", ["Auth:SigningKey"] = "a-production-secret-of-at-least-thirty-two-bytes" },
            "Production");

        using var ready = await server.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        ready.IsSuccessStatusCode.Should().BeTrue();
    }
}

using System.Globalization;

namespace Realtime.Persistence;

/// <summary>
/// A user's conversations, each with its last revision: the one database read of every connect. A plain
/// statement rather than a LINQ query, because a connect storm runs it once per connection and EF Core's
/// query pipeline (the expression tree's funcletizer, the query cache's lookup, the shaper) cost more than
/// the query itself; it still runs through EF Core's command pipeline, so it is traced and logged like any query.
/// </summary>
public static class MembershipRead
{
    private const string Standard =
        "SELECT m.\"ConversationId\", c.\"LastRevision\" FROM \"ConversationMembers\" AS m " +
        "INNER JOIN \"Conversations\" AS c ON c.\"Id\" = m.\"ConversationId\" WHERE m.\"UserId\" = @user";

    private const string SqlServer =
        "SELECT m.[ConversationId], c.[LastRevision] FROM [ConversationMembers] AS m " +
        "INNER JOIN [Conversations] AS c ON c.[Id] = m.[ConversationId] WHERE m.[UserId] = @user";

    public static async Task<List<(string ConversationId, long LastRevision)>> ReadAsync(ChatDbContext db, string userId, CancellationToken cancellationToken)
    {
        await using var command = EfCommands.Statement(db, db.Provider == DatabaseProvider.SqlServer ? SqlServer : Standard);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@user";
        parameter.Value = userId;
        command.Parameters.Add(parameter);

        var memberships = new List<(string, long)>();
        await using var reader = await EfCommands.ExecuteReaderAsync(db, command, cancellationToken);
        var rows = reader.DbDataReader;
        while (await rows.ReadAsync(cancellationToken))
        {
            memberships.Add((rows.GetString(0), Convert.ToInt64(rows.GetValue(1), CultureInfo.InvariantCulture)));
        }

        return memberships;
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using MessagePack;
using Realtime.Contracts;

namespace Realtime.Tests.Contracts;

/// <summary>
/// The contract as signatures, one per DTO field, hub method and callback ("MessageDto.sequence" => "number",
/// "ChatHub.GetMessages" => "(string, number, number) => MessageDto[]"): read from Realtime.Contracts by
/// reflection (MessagePack keys, method names, parameter types) and from the TypeScript SDK's contract.ts.
/// </summary>
public static partial class TypeScriptContract
{
    private static readonly Dictionary<Type, string> Interfaces = new()
    {
        [typeof(IChatHub)] = "ChatHub",
        [typeof(IChatClient)] = "ChatClient",
    };

    public static SortedDictionary<string, string> FromAssembly()
    {
        var signatures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();
        foreach (var dto in typeof(IChatHub).Assembly.GetTypes().Where(t => t.GetCustomAttribute<MessagePackObjectAttribute>() is not null))
        {
            foreach (var property in dto.GetProperties())
            {
                var key = property.GetCustomAttribute<KeyAttribute>()?.StringKey;
                if (key is not null)
                {
                    signatures[$"{dto.Name}.{key}"] = TypeOf(nullability.Create(property));
                }
            }
        }

        foreach (var (type, name) in Interfaces)
        {
            foreach (var method in type.GetMethods())
            {
                var parameters = method.GetParameters().Select(p => TypeOf(nullability.Create(p)));
                var returned = nullability.Create(method.ReturnParameter);
                var result = returned.GenericTypeArguments.Length == 1 ? TypeOf(returned.GenericTypeArguments[0]) : "void";
                signatures[$"{name}.{method.Name}"] = $"({string.Join(", ", parameters)}) => {result}";
            }
        }

        return signatures;
    }

    public static SortedDictionary<string, string> FromTypeScript(string source)
    {
        var signatures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (Match block in InterfacePattern().Matches(source))
        {
            var name = block.Groups["name"].Value;
            foreach (var line in block.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)))
            {
                var method = MethodPattern().Match(line);
                if (method.Success)
                {
                    var parameters = ParameterSplit().Split(method.Groups["parameters"].Value)
                        .Where(p => p.Length > 0)
                        .Select(p => Normalize(p[(p.IndexOf(':', StringComparison.Ordinal) + 1)..]));
                    var result = Normalize(PromisePattern().Replace(method.Groups["result"].Value, "$1"));
                    signatures[$"{name}.{method.Groups["name"].Value}"] = $"({string.Join(", ", parameters)}) => {result}";
                    continue;
                }

                var field = FieldPattern().Match(line);
                if (!field.Success)
                {
                    throw new FormatException($"contract.ts: '{line}' in {name} is neither `name: type;` nor `Name(...): type;`");
                }

                signatures[$"{name}.{field.Groups["name"].Value}"] = Normalize(field.Groups["type"].Value);
            }
        }

        return signatures;
    }

    /// <summary>Every signature that is on one side only or differs, as sentences.</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, string> csharp, IReadOnlyDictionary<string, string> typeScript) =>
    [
        .. csharp.Keys.Except(typeScript.Keys).Select(k => $"{k} is in Realtime.Contracts but not in contract.ts ({csharp[k]})"),
        .. typeScript.Keys.Except(csharp.Keys).Select(k => $"{k} is in contract.ts but not in Realtime.Contracts ({typeScript[k]})"),
        .. csharp.Keys.Intersect(typeScript.Keys).Where(k => csharp[k] != typeScript[k]).Select(k => $"{k} is {csharp[k]} in C# but {typeScript[k]} in TypeScript"),
    ];

    private static string TypeOf(NullabilityInfo info)
    {
        var type = info.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        var core = Core(underlying ?? type, info);
        var nullable = underlying is not null || (!type.IsValueType && info.ReadState == NullabilityState.Nullable);
        return nullable ? core + " | null" : core;
    }

    private static string Core(Type type, NullabilityInfo info)
    {
        if (type == typeof(string)) return "string";
        if (type == typeof(long) || type == typeof(int) || type == typeof(double)) return "number";
        if (type == typeof(bool)) return "boolean";
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return "Timestamp";
        if (type.IsArray) return Element(TypeOf(info.ElementType!));
        if (type.IsGenericType && type.GetGenericArguments().Length == 2) return $"Record<{TypeOf(info.GenericTypeArguments[0])}, {TypeOf(info.GenericTypeArguments[1])}>";
        if (type.IsGenericType) return Element(TypeOf(info.GenericTypeArguments[0]));
        return type.Name;
    }

    private static string Element(string element) => element.Contains('|', StringComparison.Ordinal) ? $"({element})[]" : element + "[]";

    // A union of string literals ("group" | "direct") is a string on the wire, as the C# side declares it.
    private static string Normalize(string type)
    {
        var trimmed = type.Trim();
        return LiteralUnion().IsMatch(trimmed) ? "string" : LiteralOrNull().IsMatch(trimmed) ? "string | null" : trimmed;
    }

    [GeneratedRegex(@"export interface (?<name>\w+) \{(?<body>[^}]*)\}")]
    private static partial Regex InterfacePattern();

    [GeneratedRegex(@"^(?<name>\w+)\((?<parameters>.*)\): (?<result>.+);$")]
    private static partial Regex MethodPattern();

    [GeneratedRegex(@"^(?<name>\w+): (?<type>.+);$")]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@",\s*(?=\w+:)")]
    private static partial Regex ParameterSplit();

    [GeneratedRegex(@"^Promise<(.+)>$")]
    private static partial Regex PromisePattern();

    [GeneratedRegex(@"^""[^""]*""( \| ""[^""]*"")*$")]
    private static partial Regex LiteralUnion();

    [GeneratedRegex(@"^""[^""]*""( \| ""[^""]*"")* \| null$")]
    private static partial Regex LiteralOrNull();
}

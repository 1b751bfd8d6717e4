using System.Text.Json;
using System.Text.Json.Serialization;

namespace HddFs.Daemon.Control;

/// <summary>One line of an <c>ls</c> response (NDJSON): an entry, or the error that ended the listing.</summary>
public sealed record LsLine(EntryInfo? Entry, ErrorInfo? Error);

public sealed record AddShareRequest(string Directory);

public sealed record TopicRequest(string Name);

/// <summary>Source-generated JSON for every control message (server and client use the same contract).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IdentityInfo))]
[JsonSerializable(typeof(PeerStatus[]))]
[JsonSerializable(typeof(ShareInfo))]
[JsonSerializable(typeof(ShareInfo[]))]
[JsonSerializable(typeof(TopicInfo))]
[JsonSerializable(typeof(TopicInfo[]))]
[JsonSerializable(typeof(EntryInfo))]
[JsonSerializable(typeof(ErrorInfo))]
[JsonSerializable(typeof(LsLine))]
[JsonSerializable(typeof(AddShareRequest))]
[JsonSerializable(typeof(TopicRequest))]
public sealed partial class ControlJson : JsonSerializerContext;

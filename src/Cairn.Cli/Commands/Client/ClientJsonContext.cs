using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Cli.Commands.Client;

/// <summary>The API's JSON: camelCase, nulls left out of requests, and an answer missing a field it must have is
/// refused as not understood rather than read as an empty value.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AddRepositoryRequest))]
[JsonSerializable(typeof(ChangeRepositoryRequest))]
[JsonSerializable(typeof(RejectRequest))]
[JsonSerializable(typeof(TriggerRequest))]
[JsonSerializable(typeof(RepositoryView))]
[JsonSerializable(typeof(Page<RepositoryView>))]
[JsonSerializable(typeof(RunView))]
[JsonSerializable(typeof(Page<RunView>))]
[JsonSerializable(typeof(Page<EventView>))]
[JsonSerializable(typeof(SecretRequest))]
[JsonSerializable(typeof(SecretView))]
[JsonSerializable(typeof(Page<SecretView>))]
[JsonSerializable(typeof(Page<AuditView>))]
[JsonSerializable(typeof(UserRequest))]
[JsonSerializable(typeof(UserChangeRequest))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(Page<UserView>))]
[JsonSerializable(typeof(MeView))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(MemberView))]
[JsonSerializable(typeof(Page<MemberView>))]
[JsonSerializable(typeof(TeamView))]
[JsonSerializable(typeof(Page<TeamView>))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(CreatedTokenView))]
[JsonSerializable(typeof(Page<TokenView>))]
[JsonSerializable(typeof(AddWorkerRequest))]
[JsonSerializable(typeof(WorkerView))]
[JsonSerializable(typeof(List<WorkerView>), TypeInfoPropertyName = "ListWorkerView")]
[JsonSerializable(typeof(CreatedWorkerView))]
[JsonSerializable(typeof(GateDecisionRequest))]
[JsonSerializable(typeof(GateDecisionView))]
[JsonSerializable(typeof(ArtifactsView))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

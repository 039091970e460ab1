using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Pipelines;

public sealed class ServiceSyntaxTests
{
    private static string Job(string services) =>
        $"jobs:\n  test:\n    image: debian:12\n    services:\n{services}    steps: [{{ run: ./integration-tests.sh }}]\n";

    private static List<string> Errors(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.False(result.IsValid);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Fact]
    public void Services_AreRead_InFileOrder_WithImageEnvAndCommand()
    {
        var result = PipelineLoader.Load(Job("""
                  db: { image: postgres:15, env: { POSTGRES_PASSWORD: x } }
                  cache: { image: redis:7, command: [redis-server, --save, ""] }
                  queue-1: { image: rabbitmq:3, env: { } }

            """), "ci.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var services = result.Pipeline!.Jobs[0].Services;
        Assert.Equal(["db", "cache", "queue-1"], services.Select(s => s.Name));
        Assert.Equal("postgres:15", services[0].Image);
        Assert.Equal("x", services[0].Env["POSTGRES_PASSWORD"]);
        Assert.Null(services[0].Command);
        Assert.Equal(["redis-server", "--save", ""], services[1].Command);
        Assert.Equal(new SourceLocation("ci.yml", 7, 7), services[2].Location);
    }

    [Fact]
    public void JobWithoutServices_HasNone()
    {
        var result = PipelineLoader.Load("jobs:\n  a:\n    steps: [{ run: make }]\n", "ci.yml");

        Assert.Empty(result.Pipeline!.Jobs[0].Services);
    }

    [Theory]
    [InlineData("      Db: { image: postgres:15 }\n", "ci.yml:5:7: error: 'Db' is not a valid service name; it is the host name steps reach the service by: use lowercase letters, digits and -, not starting or ending with -")]
    [InlineData("      db-: { image: postgres:15 }\n", "ci.yml:5:7: error: 'db-' is not a valid service name; it is the host name steps reach the service by: use lowercase letters, digits and -, not starting or ending with -")]
    [InlineData("      db: { env: { A: b } }\n", "ci.yml:5:11: error: service 'db' of job 'test' has no 'image'; give the image it runs, like image: postgres:15")]
    [InlineData("      db: { image: \"\" }\n", "ci.yml:5:20: error: 'image' of service 'db' is empty")]
    [InlineData("      db: { image: [a] }\n", "ci.yml:5:20: error: 'image' must be a string")]
    [InlineData("      db: { image: postgres:15, imgae: x }\n", "ci.yml:5:33: error: unknown key 'imgae' in service 'db' of job 'test'; did you mean 'image'?")]
    [InlineData("      db: { image: postgres:15, command: redis-server }\n", "ci.yml:5:42: error: 'command' of service 'db' must be a list of strings, like [redis-server, --save, \"\"]")]
    [InlineData("      db: { image: postgres:15, command: [a, [b]] }\n", "ci.yml:5:46: error: 'command' of service 'db' must be a list of strings, like [redis-server, --save, \"\"]")]
    [InlineData("      db: { image: postgres:15, env: { 1A: x } }\n", "ci.yml:5:40: error: '1A' is not a valid environment variable name; use letters, digits and _, not starting with a digit")]
    [InlineData("      db: { image: \"postgres:${{ matrix.v }}\" }\n", "ci.yml:5:34: error: this job has no matrix")]
    [InlineData("      db: postgres:15\n", "ci.yml:5:11: error: service 'db' must be a mapping with 'image', like { image: postgres:15 }")]
    [InlineData("      db: { image: a }\n      db: { image: b }\n", "ci.yml:6:7: error: service 'db' is defined twice in job 'test' (first at 5:7)")]
    public void BadService_IsAnErrorAtItsPlace(string services, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(Job(services))));

    [Fact]
    public void ServicesThatAreNotAMapping_AreAnError() =>
        Assert.Equal(
            "ci.yml:4:15: error: 'services' must be a mapping of service names to services, like { db: { image: postgres:15 } }",
            Assert.Single(Errors("jobs:\n  test:\n    image: debian:12\n    services: [postgres]\n    steps: [{ run: make }]\n")));

    [Fact]
    public void Planner_ExpandsServiceImageAndEnv_WithTheJobsScope_AndKeepsCommandAsWritten()
    {
        var loaded = PipelineLoader.Load("""
            env: { PASSWORD: from-pipeline }
            on: { manual: { inputs: { tag: { default: "7" } } } }
            jobs:
              test:
                image: debian:12
                matrix: { pg: ["15", "16"] }
                env: { USER_NAME: ci }
                services:
                  db:
                    image: "postgres:${{ matrix.pg }}"
                    env: { POSTGRES_PASSWORD: "${{ env.PASSWORD }}", POSTGRES_USER: "${{ env.USER_NAME }}" }
                  cache: { image: "redis:${{ inputs.tag }}", command: [redis-server, "${{ x }}"] }
                steps: [{ run: make }]
            """, "ci.yml");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));

        var plan = RunPlanner.Plan(loaded.Pipeline!, TriggerEvent.Manual(null, null, null, new Dictionary<string, string>())).Plan!;

        var definition = JobDefinitionJson.Deserialize(plan.Jobs.Single(j => j.Name == "test (16)").Definition);
        Assert.Equal(["db", "cache"], definition.Services.Select(s => s.Name));
        Assert.Equal("postgres:16", definition.Services[0].Image);
        Assert.Equal("from-pipeline", definition.Services[0].Env["POSTGRES_PASSWORD"]);
        Assert.Equal("ci", definition.Services[0].Env["POSTGRES_USER"]);
        Assert.Equal("redis:7", definition.Services[1].Image);
        Assert.Equal(["redis-server", "${{ x }}"], definition.Services[1].Command);
    }

    [Fact]
    public void StoredDefinition_WithoutServices_ReadsBackAsNone()
    {
        const string older = """{"key":"a","matrix":{},"env":{},"inputs":{},"secrets":[],"steps":[{"name":"make","run":"make","env":{}}]}""";

        Assert.Empty(JobDefinitionJson.Deserialize(older).Services);
    }
}

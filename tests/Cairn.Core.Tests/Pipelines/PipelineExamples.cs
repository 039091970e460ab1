namespace Cairn.Core.Tests.Pipelines;

/// <summary>Pipelines shared by the loader and schema tests.</summary>
internal static class PipelineExamples
{
    public const string Full = """
        name: ci
        on:
          push: { branches: [main, "release/*"], tags: ["v*"], paths: ["src/**"] }
          pull_request: { branches: [main] }
          schedule: [{ cron: "0 3 * * 1-5" }]
          manual: { inputs: { target: { default: staging } } }
        env: { CONFIGURATION: Release }
        jobs:
          lint:
            steps:
              - run: ./lint.sh
          test:
            needs: [lint]
            runner: large
            image: debian:12
            timeout: 20m
            matrix:
              os: [debian, alpine]
              dotnet: ["8", "10"]
              exclude: [{ os: alpine, dotnet: "8" }]
              include: [{ os: debian, dotnet: "9" }]
            env: { TARGET: "${{ matrix.os }}-${{ matrix.dotnet }}" }
            secrets: [NUGET_TOKEN]
            retry: { max: 2, on: [infra, timeout] }
            if: ${{ inputs.target != 'none' }}
            steps:
              - name: unit tests
                run: |
                  echo "testing $TARGET"
                  dotnet test
                timeout: 10m
                env: { VERBOSE: "1" }
          report:
            needs: [test]
            if: ${{ always() }}
            steps: [{ run: echo done }]
        """;

    /// <summary>Uses every key the syntax has at least once.</summary>
    public const string EveryKey = """
        name: every-key
        on:
          push: { branches: main, tags: ["v*"], paths: ["src/**"] }
          pull_request: { branches: [main], paths: ["src/**"] }
          schedule: [{ cron: "@daily" }]
          manual:
            inputs:
              target: { default: staging, required: false, description: where to deploy }
              plain: value
              empty:
        concurrency: { group: "deploy-${{ cairn.branch }}-${{ inputs.target }}", cancel-in-progress: true }
        env: { A: "1" }
        jobs:
          build:
            steps: [{ run: make }]
          test:
            needs: build
            runner: large
            image: debian:12
            timeout: 1h30m
            matrix:
              os: [debian]
              include: [{ os: debian, extra: x }]
              exclude: [{ os: alpine }]
            env: { B: "2" }
            secrets: [TOKEN]
            retry: { max: 3, on: [infra], backoff: 30s }
            if: inputs.target == 'prod'
            steps:
              - name: go
                run: ./go
                timeout: 5m
                env: { C: "3" }
                if: ${{ failure() }}
        """;
}

#!/usr/bin/env bash
# Regenerates Sources/OTLP/Generated from the .proto files in Sources/OTLP/Proto: the messages,
# and the gRPC service code of TraceService, LogsService and MetricsService (client and server).
# Needs protoc (Debian: protobuf-compiler). protoc-gen-swift and protoc-gen-grpc-swift-2 are built
# from the swift-protobuf and grpc-swift-protobuf packages this project already depends on, so
# versions match.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
scratch=.build-protoc
swift build -c release --product protoc-gen-swift --package-path .build/checkouts/swift-protobuf --scratch-path "$scratch" >&2 \
  || { echo "build the package once first (swift build) so .build/checkouts/swift-protobuf exists" >&2; exit 1; }
swift build -c release --product protoc-gen-grpc-swift-2 --package-path .build/checkouts/grpc-swift-protobuf --scratch-path "$scratch" >&2
plugin="$PWD/$scratch/release/protoc-gen-swift"
grpc_plugin="$PWD/$scratch/release/protoc-gen-grpc-swift-2"
out=Sources/OTLP/Generated
rm -rf "$out" && mkdir -p "$out"
cd Sources/OTLP/Proto
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_out="../Generated" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  $(find opentelemetry google -name '*.proto' | sort)
protoc --plugin=protoc-gen-grpc-swift-2="$grpc_plugin" \
  --grpc-swift-2_out="../Generated" --grpc-swift-2_opt=Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores \
  opentelemetry/proto/collector/trace/v1/trace_service.proto opentelemetry/proto/collector/logs/v1/logs_service.proto \
  opentelemetry/proto/collector/metrics/v1/metrics_service.proto
echo "generated: $(ls ../Generated | tr '\n' ' ')"

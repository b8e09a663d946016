#!/usr/bin/env bash
# Regenerates Sources/OTLP/Generated from the .proto files in Sources/OTLP/Proto.
# Needs protoc (Debian: protobuf-compiler). protoc-gen-swift is built from the
# swift-protobuf package this project already depends on, so versions match.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
scratch=.build-protoc
swift build -c release --product protoc-gen-swift --package-path .build/checkouts/swift-protobuf --scratch-path "$scratch" >&2 \
  || { echo "build the package once first (swift build) so .build/checkouts/swift-protobuf exists" >&2; exit 1; }
plugin="$PWD/$scratch/release/protoc-gen-swift"
out=Sources/OTLP/Generated
rm -rf "$out" && mkdir -p "$out"
cd Sources/OTLP/Proto
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_out="../Generated" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  $(find opentelemetry google -name '*.proto' | sort)
echo "generated: $(ls ../Generated | tr '\n' ' ')"

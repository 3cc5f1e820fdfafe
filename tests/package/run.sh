#!/usr/bin/env bash
# Package test: ditto used through add_subdirectory, through an install and find_package, and a
# request for a wrong major version that must be rejected. Usage: tests/package/run.sh [WORK_DIR]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
consumer="$source_dir/tests/package/consumer"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

echo "== add_subdirectory"
cmake -S "$consumer" -B "$work/subdirectory" "${generator[@]}" -DDITTO_MODE=subdirectory -DDITTO_SOURCE_DIR="$source_dir" >/dev/null
cmake --build "$work/subdirectory" >/dev/null
"$work/subdirectory/consumer"

echo "== install + find_package"
cmake -S "$source_dir" -B "$work/ditto" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDITTO_BUILD_TESTS=OFF \
    -DDITTO_BUILD_BENCHMARKS=OFF -DDITTO_BUILD_TOOLS=OFF -DDITTO_BUILD_EXAMPLES=OFF -DDITTO_INSTALL=ON >/dev/null
cmake --install "$work/ditto" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/share/cmake/ditto/dittoConfig.cmake"
test -f "$work/prefix/share/cmake/ditto/dittoConfigVersion.cmake"
test -f "$work/prefix/include/ditto/version.hpp"
cmake -S "$consumer" -B "$work/package" "${generator[@]}" -DDITTO_MODE=package -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/package" >/dev/null
"$work/package/consumer"

echo "== find_package(ditto 99) is rejected"
cmake -S "$consumer" -B "$work/wrong_major" "${generator[@]}" -DDITTO_MODE=wrong_major -DCMAKE_PREFIX_PATH="$work/prefix" | grep "rejected"
echo "package test passed"

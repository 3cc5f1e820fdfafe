#!/usr/bin/env bash
# Package test: ditto used through add_subdirectory, through an install and find_package (of its
# own major.minor version too), and requests that must be rejected: another major version, and
# while the major is 0 another minor version. Usage: tests/package/run.sh [WORK_DIR]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
consumer="$source_dir/tests/package/consumer"
version=$(sed -n 's/^ *VERSION \([0-9.]*\)$/\1/p' "$source_dir/CMakeLists.txt" | head -1)
major=${version%%.*} minor=${version#*.} && minor=${minor%%.*}
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
cmake -S "$consumer" -B "$work/package" "${generator[@]}" -DDITTO_MODE=package -DDITTO_REQUEST="$major.$minor" \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/package" >/dev/null
"$work/package/consumer"

echo "== find_package(ditto 99) is rejected"
cmake -S "$consumer" -B "$work/wrong_major" "${generator[@]}" -DDITTO_MODE=rejected -DDITTO_REQUEST=99 \
    -DCMAKE_PREFIX_PATH="$work/prefix" | grep "rejected"
if [ "$major" = 0 ]; then
    echo "== find_package(ditto 0.$((minor + 1))) is rejected (0.x: SameMinorVersion)"
    cmake -S "$consumer" -B "$work/wrong_minor" "${generator[@]}" -DDITTO_MODE=rejected -DDITTO_REQUEST="0.$((minor + 1))" \
        -DCMAKE_PREFIX_PATH="$work/prefix" | grep "rejected"
fi
echo "package test passed"

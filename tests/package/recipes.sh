#!/usr/bin/env bash
# The vcpkg port and the conan recipe (packaging/), exercised without vcpkg or conan, which this
# test does not need: each recipe's own steps are run by a stand-in for its client
# (vcpkg_emulation.cmake runs portfile.cmake with emulated vcpkg_* functions; conan_emulation/
# runs conanfile.py and test_package/ with an emulated `conan` module), then the consumers are
# built against the staged packages. What the stand-ins leave out is listed at their top.
# Usage: tests/package/recipes.sh [WORK_DIR]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
here="$source_dir/tests/package"
work=${1:-$(mktemp -d)}
mkdir -p "$work"
port="$source_dir/packaging/vcpkg/ports/ditto"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

echo "== the recipes' versions are project(VERSION)"
version=$(sed -n 's/^ *VERSION \([0-9.]*\)$/\1/p' "$source_dir/CMakeLists.txt" | head -1)
grep -q "\"version\": \"$version\"" "$port/vcpkg.json" || { echo "vcpkg.json is not at version $version"; exit 1; }
grep -q "version = \"$version\"" "$source_dir/packaging/conan/conanfile.py" || { echo "conanfile.py is not at version $version"; exit 1; }

echo "== vcpkg: ditto (headers only)"
cmake -DPORT_DIR="$port" -DWORK_DIR="$work/vcpkg-core" -DFEATURES= -P "$here/vcpkg_emulation.cmake" >"$work/vcpkg-core.log" 2>&1 ||
    { cat "$work/vcpkg-core.log"; exit 1; }
echo "== vcpkg: ditto[tool]"
cmake -DPORT_DIR="$port" -DWORK_DIR="$work/vcpkg-tool" -DFEATURES=tool -P "$here/vcpkg_emulation.cmake" >"$work/vcpkg-tool.log" 2>&1 ||
    { cat "$work/vcpkg-tool.log"; exit 1; }
prefix="$work/vcpkg-tool/packages/ditto"
"$prefix/tools/ditto/ditto" --version

echo "== consumers against the vcpkg package (config in share/ditto)"
cmake -S "$here/consumer" -B "$work/vcpkg-consumer" "${generator[@]}" -DDITTO_MODE=package -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/vcpkg-consumer" >/dev/null
"$work/vcpkg-consumer/consumer"
cmake -S "$source_dir/packaging/conan/test_package" -B "$work/vcpkg-test_package" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/vcpkg-core/packages/ditto" >/dev/null
cmake --build "$work/vcpkg-test_package" >/dev/null
"$work/vcpkg-test_package/test_package"

echo "== conan: create and test_package"
python3 "$here/conan_emulation/run.py" "$source_dir/packaging/conan" "$work/conan" >"$work/conan.log" 2>&1 ||
    { cat "$work/conan.log"; exit 1; }
grep -E "^ditto |conan emulation passed" "$work/conan.log"
echo "recipes test passed"

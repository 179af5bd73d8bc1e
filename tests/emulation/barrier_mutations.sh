#!/usr/bin/env bash
# Shows that the emulation tier has teeth: removes each __syncthreads() / __syncwarp() of the CUDA
# sources in turn (in a scratch copy of the tree), rebuilds the emulated CUDA-vs-CPU driver and
# runs it plain and under ThreadSanitizer. A mutation is "killed" when either run fails. On demand:
#   bash tests/emulation/barrier_mutations.sh [scratch-dir]
# Prints one line per barrier and a summary; exits 1 if any mutation survives.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scratch="${1:-$(mktemp -d)}"
mkdir -p "$scratch"
rm -rf "$scratch/tree" && mkdir -p "$scratch/tree"
tar -C "$root" --exclude=./target --exclude=./.git --exclude=./.gpu -cf - . | tar -C "$scratch/tree" -xf -
cmake -S "$scratch/tree" -B "$scratch/build" -DKGEN_CUDA=OFF -DKGEN_BUILD_EMULATION=ON >/dev/null

killed=0
survived=0
while IFS=: read -r file line; do
  rel="${file#$root/}"
  cp "$root/$rel" "$scratch/tree/$rel"
  sed -i "${line}s/__syncthreads()\|__syncwarp()/(void)0/" "$scratch/tree/$rel"
  verdict="survived"
  if ! cmake --build "$scratch/build" -j2 --target kgen_emulation_plain kgen_emulation_tsan >"$scratch/build.log" 2>&1; then
    verdict="killed (does not build)"
  elif ! KGEN_EMULATION_SMS=2 timeout 900 "$scratch/build/tests/emulation/kgen_emulation_plain" tiny >"$scratch/plain.log" 2>&1; then
    verdict="killed (wrong results)"
  elif ! TSAN_OPTIONS="halt_on_error=1:exitcode=66" KGEN_EMULATION_SMS=2 timeout 1800 \
      "$scratch/build/tests/emulation/kgen_emulation_tsan" tiny >"$scratch/tsan.log" 2>&1; then
    verdict="killed (ThreadSanitizer: $(grep -m1 -o 'SUMMARY: ThreadSanitizer: [a-z -]*' "$scratch/tsan.log" | cut -d' ' -f3-))"
  fi
  cp "$root/$rel" "$scratch/tree/$rel"
  echo "$rel:$line  $(sed -n "${line}p" "$root/$rel" | sed 's/^ *//')  -> $verdict"
  if [[ $verdict == survived ]]; then survived=$((survived + 1)); else killed=$((killed + 1)); fi
done < <(grep -n -o '__syncthreads()\|__syncwarp()' "$root"/native/src/cuda/*.cu "$root"/native/src/cuda/*.cuh 2>/dev/null | cut -d: -f1,2)

echo "barrier mutations: $killed killed, $survived survived"
[[ $survived -eq 0 ]]

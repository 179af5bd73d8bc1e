#!/usr/bin/env bash
# The one-shot GPU check: on a GPU host, from the bundle bench/gpu/bundle.sh made, runs in at
# most 8 minutes and writes REPORT_DIR/report.md plus one log per step:
#   1. the GPU: name, driver, CUDA, SM count, clocks;
#   2. the gpu-tagged JUnit suite (CUDA against float64 and the CPU, Philox bit-identity);
#   3. the native CUDA-vs-CPU driver, plain and under compute-sanitizer memcheck, racecheck,
#      synccheck and initcheck (each tool's summary line in the report), and the tensor-core
#      operations' fragment layout against the hardware (kgen_mma_check);
#   4. the kernel-sum bench at the reference shapes (each checked against the CPU first) and the
#      sampler bench (reverse SDE on MNIST with each score, Laplace drifting 2-d and MNIST), and
#      the kernel lab (each reduction kernel's versions against the floors of the GPU);
#   5. the PyTorch peer on the same shapes, when torch imports.
# A step whose tool is missing is reported as skipped. --dry-run (CI, no GPU) runs the same
# script with the CPU backend and small sizes, so that the bundle and the script cannot rot.
#   bash check.sh REPORT_DIR [--dry-run]
# Exit status: 0 when no step that ran failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report_dir="${1:?usage: check.sh REPORT_DIR [--dry-run]}"
dry_run=false
[[ ${2:-} == --dry-run ]] && dry_run=true
mkdir -p "$report_dir/logs"
report_dir="$(cd "$report_dir" && pwd)"
report="$report_dir/report.md"
deadline=$((SECONDS + ${KGEN_CHECK_SECONDS:-470}))  # 8 minutes, less start-up and the report
failed=0

# ---- the Java runtime and class path from the bundle ----
if [[ -f $here/jre.tgz ]]; then
  jre="${TMPDIR:-/tmp}/kgen-check-jre"
  [[ -x $jre/bin/java ]] || { mkdir -p "$jre" && tar xzf "$here/jre.tgz" -C "$jre" --strip-components=1; }
  java="$jre/bin/java"
else
  java="$(command -v java || true)"
fi
# each module's classes and test classes (the benches are the command line's), then the jars
classpath="$(printf '%s:' "$here"/test-classes/{core,cli,jcuda} "$here"/classes/{core,cli,jcuda} "$here"/lib/*.jar)"
classpath="${classpath%:}"
java_options=(--enable-native-access=ALL-UNNAMED "-Dorg.bytedeco.javacpp.cachedir=${TMPDIR:-/tmp}/kgen-check-javacpp")

# ---- steps ----
# step NAME SECONDS COMMAND...: runs the command with at most SECONDS (and never past the
# deadline), its output in logs/NAME.log, and adds a line to the report's step table.
steps=()
step() {
  local name="$1" limit="$2"
  shift 2
  local left=$((deadline - SECONDS))
  ((limit > left)) && limit=$left
  if ((limit < 5)); then
    steps+=("| $name | skipped: out of time | |")
    return 0
  fi
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@" >"$report_dir/logs/$name.log" 2>&1
  local status=$? verdict
  case $status in
    0) verdict="passed" ;;
    77) verdict="skipped: $(tail -1 "$report_dir/logs/$name.log")" ;;
    124 | 137) verdict="FAILED: timed out after ${limit} s"; failed=1 ;;
    *) verdict="FAILED: exit $status"; failed=1 ;;
  esac
  steps+=("| $name | $verdict | $((SECONDS - start)) s |")
}
skip() { steps+=("| $1 | skipped: $2 | |"); }
summary() {  # the last line of a log that matches a pattern, for the report
  grep -E "$2" "$report_dir/logs/$1.log" 2>/dev/null | tail -1
}

# 1. The GPU and the toolkit.
{
  echo "# kgen GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')$($dry_run && echo ' (dry run: CPU only)')"
  echo
  echo '```'
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,clocks.sm \
      --format=csv 2>&1
  else
    echo "no nvidia-smi on this host"
  fi
  command -v nvcc >/dev/null && nvcc --version | tail -2
  echo "java: ${java:-none}"
  [[ -n $java ]] && "$java" "${java_options[@]}" -cp "$classpath" io.kgen.cli.Main info 2>&1 | head -5
  echo '```'
} >"$report"

if [[ -z $java ]]; then
  echo "check.sh: no Java runtime in the bundle and none on the PATH" >&2
  exit 2
fi
junit=("$java" "${java_options[@]}" -jar "$(ls "$here"/console/junit-platform-console-standalone-*.jar)" execute
  --class-path "$classpath" --details=summary --disable-banner)
bench=("$java" "${java_options[@]}" -cp "$classpath")

# 2. JUnit. On a GPU: the gpu-tagged suite. Dry run: one CPU contract class runs for real, and the
# CUDA class shows the tag still selects (its tests skip without a device).
if $dry_run; then
  step junit 300 "${junit[@]}" --select-class io.kgen.KernelSumCpuTest --select-class io.kgen.KernelSumCudaTest
else
  step junit 200 "${junit[@]}" --scan-class-path "$here/test-classes/core:$here/test-classes/jcuda" --include-tag gpu
fi

# 3. The native driver, then under each compute-sanitizer tool (small cases: a tool slows it
# down ten to a hundred times).
export LD_LIBRARY_PATH="$here/native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
step selftest 60 "$here/native/kgen_selftest"
if [[ -x $here/native/kgen_mma_check ]]; then
  step mma-check 30 "$here/native/kgen_mma_check"
else
  skip mma-check "a CPU-only bundle (no nvcc where it was built)"
fi
if command -v compute-sanitizer >/dev/null && ! $dry_run; then
  for tool in memcheck racecheck synccheck initcheck; do
    step "sanitizer-$tool" 45 compute-sanitizer --tool "$tool" --error-exitcode 1 "$here/native/kgen_selftest" tiny
  done
else
  skip compute-sanitizer "$($dry_run && echo 'dry run' || echo 'no compute-sanitizer on the PATH')"
fi

# 4. Benches: the kernel sums (each shape checked against the CPU backend before it is timed),
# then the samplers.
if $dry_run; then
  step kernel-sum-bench 120 "${bench[@]}" io.kgen.bench.KernelSumBench --backend CPU --scale 0.002 --repeats 1 \
    --out "$report_dir/kernel-sums.md"
  step sampler-bench 120 "${bench[@]}" io.kgen.bench.SamplerBench --backend CPU --scale 0.01 \
    --out "$report_dir/samplers"
else
  step kernel-sum-bench 90 "${bench[@]}" io.kgen.bench.KernelSumBench --backend CUDA --out "$report_dir/kernel-sums.md"
  step sampler-bench 120 "${bench[@]}" io.kgen.bench.SamplerBench --backend CUDA --scale 0.2 \
    --out "$report_dir/samplers"
fi

# 4b. The kernel lab: each version of each reduction kernel, validated, timed and set against
# the floors (bench/cuda-lab).
if [[ -x $here/native/kgen_cuda_lab ]] && ! $dry_run; then
  step cuda-lab 90 "$here/native/kgen_cuda_lab" --resources "$here/native/cuda_resource_usage.txt" \
    --out "$report_dir/cuda-lab.md"
else
  skip cuda-lab "$($dry_run && echo 'dry run' || echo 'a CPU-only bundle (no nvcc where it was built)')"
fi

# 5. The PyTorch peer, on the same shapes.
if ! $dry_run && command -v python3 >/dev/null && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  step torch-peer 90 python3 "$here/peer/torch_kernel_sums.py" --out "$report_dir/torch-peer.md"
else
  skip torch-peer "$($dry_run && echo 'dry run' || echo 'torch with CUDA does not import here')"
fi

# ---- the report ----
{
  echo
  echo "## Steps"
  echo
  echo "| step | result | time |"
  echo "|---|---|---|"
  printf '%s\n' "${steps[@]}"
  echo
  echo "## Summaries"
  echo
  echo '```'
  echo "junit:    $(grep -E 'tests (successful|skipped|failed)' "$report_dir/logs/junit.log" 2>/dev/null | tr -s ' []' ' ' | paste -sd',')"
  echo "selftest: $(summary selftest 'PASSED|FAILED|no CUDA device')"
  echo "mma:      $(summary mma-check 'PASSED|FAILED|no CUDA device')"
  for tool in memcheck racecheck synccheck initcheck; do
    [[ -f $report_dir/logs/sanitizer-$tool.log ]] && echo "$tool: $(summary "sanitizer-$tool" 'ERROR SUMMARY|RACECHECK SUMMARY')"
  done
  echo "lab:      $(summary cuda-lab 'PASSED|FAILED|no CUDA device')"
  echo '```'
  for table in kernel-sums.md cuda-lab.md samplers/sampler-bench.md torch-peer.md; do
    [[ -f $report_dir/$table ]] && { echo; echo "## $table"; echo; cat "$report_dir/$table"; }
  done
} >>"$report"
echo "check.sh: report in $report ($([[ $failed == 0 ]] && echo 'no step failed' || echo 'a step FAILED'))"
exit $failed

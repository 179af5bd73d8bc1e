#!/usr/bin/env bash
# Shows that the C ABI test (kgen_abi.*) has teeth: applies each mutation of the list below to a
# scratch copy of the tree, one at a time, rebuilds the CPU-only library and kgen_abi_test, runs
# the kgen_abi CTest groups and restores the file. A mutation is "killed" when a group fails or
# the tree no longer builds. On demand, not in CI:
#   bash tests/native/native_mutations.sh [scratch-dir]
# Prints one line per mutation and a summary; exits 1 if any mutation survives, 2 if the list no
# longer matches the sources or the unmutated tree fails.
set -uo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # a '&' in a replacement is literal text
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scratch="${1:-$(mktemp -d)}"
jobs="${KGEN_MUTATION_JOBS:-2}"

# ---- the list: file, original text (exactly once in the file), replacement, what the bug is ----
files=() originals=() replacements=() descriptions=()
mutation() { files+=("$1"); originals+=("$2"); replacements+=("$3"); descriptions+=("$4"); }

kernels=native/src/common/kernels.h
mutation $kernels 'return T(2) * c;' 'return c;' \
  'Gaussian gradient scale 1/(2 b^2) instead of 1/b^2'
mutation $kernels 'return r > T(0) ? T(1) / r : T(0);' 'return r >= T(0) ? T(1) / r : T(0);' \
  'Laplace gradient: the r = 0 guard lets r = 0 through (1/0)'
mutation $kernels 'logit(T lw, T, T r) const { return lw - r * c_unit; }' \
  'logit(T lw, T r2, T) const { return lw - r2 * c_unit; }' \
  'Laplace logit from r^2 instead of r'
mutation $kernels 'power(T(0.5) * T(d + 1))' 'power(T(0.5) * T(d))' \
  'Cauchy exponent d/2 instead of (d + 1)/2'
mutation $kernels 'return T(1) / (T(1) + r2 * c);' 'return T(1) / (T(1) + r2);' \
  'Cauchy gradient shape without the 1/b^2'
mutation $kernels 'log(T(6.283185307179586) * b * b)' 'log(T(6.283185307179586) * b)' \
  'Gaussian normaliser log(2 pi b) instead of log(2 pi b^2)'
mutation $kernels 'log_gamma(T(d)) -' 'log_gamma(T(d + 1)) -' \
  'Laplace normaliser with Gamma(d + 1) instead of Gamma(d)'
mutation $kernels '- log_gamma(T(0.5) * T(d + 1));' '+ log_gamma(T(0.5) * T(d + 1));' \
  'Cauchy normaliser multiplies by Gamma((d + 1)/2) instead of dividing'

lse=native/src/common/log_sum_exp.h
mutation $lse 'return w > T(0) ? log(w) : T(-INFINITY);' 'return w > T(0) ? log(w) : T(0);' \
  'log weight: a zero weight counts as weight 1'
mutation $lse 'return from == T(-INFINITY) ? T(0) : exp(from - to);' 'return exp(from - to);' \
  'rescale without the empty-state guard (-inf - -inf is NaN)'

sums=native/src/cpu/kernel_sums_cpu.cpp
outputs=native/src/cpu/row_outputs.h
mutation $sums 'row.scale(rescale(row.max_logit, block_max));' '' \
  'kernel sums: running sums not rescaled when a later block of rows raises the max'
mutation $sums 'row.weighted[k] += e * (double)y[k];' 'row.weighted[k] += e * (double)x[k];' \
  'kernel sums: mean of the query instead of the data rows'
mutation $sums '(((double)y[k] - (double)x[k]) * shape)' '(((double)x[k] - (double)y[k]) * shape)' \
  'kernel sums: gradient sign (x - y for y - x)'
mutation $sums 'j == i + p.self_offset' 'j == i' \
  'leave-one-out offset ignored (a partial state over a slice skips the wrong pair)'
mutation $sums 'return p.bandwidths ? (double)p.bandwidths[i] : (double)p.bandwidth;' \
  'return p.bandwidths ? (double)p.bandwidths[0] : (double)p.bandwidth;' \
  'per-query bandwidths: query 0'"'"'s bandwidth for every query'
mutation $outputs '(float)(row.max_logit + std::log(row.sum_exp) - K::log_norm(d, h))' \
  '(float)(row.max_logit + std::log(row.sum_exp) + K::log_norm(d, h))' \
  'log density adds the normaliser instead of subtracting it'
mutation $outputs 'out.score[i * d + k] = (float)(offset / (h * h));' 'out.score[i * d + k] = (float)(offset / h);' \
  'Gaussian score divided by h instead of h^2'
mutation $outputs 'step.offset + (uint64_t)(i * d + k)' 'step.offset + (uint64_t)(i + k)' \
  'Euler step: noise element i + k instead of i d + k'
mutation $outputs '(double)step.step * offset / (h * h)' '(double)step.step * offset / h' \
  'Euler step: drift divided by h instead of h^2'
mutation $sums 'a.sum_exp[i] * fa + b.sum_exp[i] * fb' 'a.sum_exp[i] * fa + b.sum_exp[i] * fa' \
  'merge rescales the second state'"'"'s sum by the first state'"'"'s factor'
mutation $sums 'a.gradient_sum[k] * fa + b.gradient_sum[k] * fb' 'a.gradient_sum[k] + b.gradient_sum[k]' \
  'merge adds gradient sums without rescaling them'
mutation $sums 'row.weighted[k] = state.weighted_sum[i * d + k];' 'row.weighted[k] = state.weighted_sum[k];' \
  'finalize reads query 0'"'"'s weighted sum for every query'
mutation $outputs 'out.sum_exp[i] = (float)row.sum_exp;' 'out.sum_exp[i] = (float)(2.0 * row.sum_exp);' \
  'split: the partial sum_exp written twice its value'

api=native/src/api.cpp
mutation $api 'r.uniform_log_weight = 0.0f;  // partial states carry unit weights' '' \
  'partial states: NULL weights carry 1/n instead of unit weights'
mutation $api 'if (kernel == KGEN_KERNEL_GAUSSIAN) out.score = score;' \
  'if (kernel != KGEN_KERNEL_CAUCHY) out.score = score;' \
  'Laplace score taken from the mean as for the Gaussian'
mutation $api 'check::pointer(log_density, "log_density");' '' \
  'NULL check of log_density dropped'
mutation $api 'check::finite(beta, "beta");' 'check::finite(beta, "alpha");' \
  'particle update: a bad beta is reported as alpha'
mutation $api '!check::overlap(x, m * d, bandwidths, bandwidths ? m : 0)' 'true' \
  'Euler step: overlap check of x with the bandwidths dropped'

checks=native/src/checks.cpp
mutation $checks 'require(bandwidth_usable(kernel, d, bandwidth),' 'require(bandwidth > 0.0f,' \
  'bandwidth-overflow check dropped'
mutation $checks 'check.lower = min_bandwidth(kernel, d);' 'check.lower = 0.0f;' \
  'per-query bandwidths scanned against 0 instead of the least bandwidth'
mutation $checks 'p.weight_check = run_or_defer(backend, check);' '' \
  'weight scan dropped'
mutation $checks 'scan.sum > 0.0' 'scan.sum >= 0.0' \
  'weights that sum to 0 accepted'
mutation $checks '!overlap(out, count, p.weights, p.n)' 'true' \
  'overlap check of an output with the weights dropped'
mutation $checks 'return a < b + b_count && b < a + a_count;' 'return a <= b + b_count && b <= a + a_count;' \
  'overlap: ranges that only touch count as overlapping'
mutation $checks 'const int64_t others = r.leave_one_out ? n - 1 : n;' 'const int64_t others = n;' \
  'uniform weight 1/n instead of 1/(n - 1) under leave-one-out'
mutation $checks 'return as_float(low);' 'return as_float(low + 1);' \
  'kgen_min_bandwidth one float above the least usable bandwidth'
mutation $checks 'require(sum_exp != nullptr, prefix + "sum_exp is NULL");' \
  'require(sum_exp != nullptr, prefix + "max_logit is NULL");' \
  'partial state: a NULL sum_exp is reported as max_logit'

rows=native/src/cpu/rows_cpu.cpp
mutation $rows 'if (result.first_bad < 0) result.first_bad = i;' 'result.first_bad = i;' \
  'kgen_scan reports the last bad index instead of the first'
mutation $rows '++result.bad_count;' 'result.bad_count = 1;' \
  'kgen_scan counts at most one bad entry'
mutation $rows 'if (!std::isfinite(v) || v < lower) {' 'if (!std::isfinite(v) || v <= lower) {' \
  'kgen_scan: a value equal to the lower bound counts as bad'
mutation $rows 'result.sum += (double)v;' 'if (std::isfinite(v) && v >= lower) result.sum += (double)v;' \
  'kgen_scan sums only the good entries instead of all'
mutation $rows 'i < std::min(count, (c + 1) * chunk)' 'i < std::min(count, (c + 1) * chunk - 1)' \
  'sum of squares: chunk bound off by one (131,072 ones sum to 131,070)'
mutation $rows 'std::vector<double> partial((count + chunk - 1) / chunk);' \
  'std::vector<double> partial(count / chunk);' \
  'sum of squares: the last, partly filled chunk dropped'
mutation $rows '(x ? x[k] : 0.0f)' '(x ? x[i] : 0.0f)' \
  'row update reads x by row index instead of element'

rng=native/src/cpu/rng_cpu.cpp
mutation $rng 'uniform_element(seed, stream, offset + (uint64_t)i)' 'uniform_element(seed, stream, (uint64_t)i)' \
  'uniform fill ignores the offset'
mutation $rng 'cached.normal(seed, stream, offset + (uint64_t)i)' \
  'cached.normal(seed, stream, offset + (uint64_t)i + 1)' \
  'normal fill off by one element'
mutation $rng 'cached.normal(u.seed, u.stream, u.offset + (uint64_t)i)' 'cached.normal(u.seed, u.stream, (uint64_t)i)' \
  'particle update noise ignores the offset'

philox=native/src/common/philox.h
mutation $philox 'normal_pair(b.v[2], b.v[3], z[2], z[3]);' 'normal_pair(b.v[3], b.v[2], z[2], z[3]);' \
  'normal lanes 2 and 3 from swapped words'
mutation $philox 'return uniform_from_bits(b.v[k & 3]);' 'return uniform_from_bits(b.v[(k + 1) & 3]);' \
  'uniform element from the next lane'
mutation $philox 'k1 += 0xBB67AE85u;' 'k1 += 0x9E3779B9u;' \
  'Philox key schedule: the first Weyl constant for both key words'

mutation native/src/common/particle_update.h 'if (u.b) v += u.beta * u.b[k];' 'if (u.b) v += u.alpha * u.b[k];' \
  'particle update scales b by alpha'

nearest=native/src/common/nearest_two.h
mutation $nearest '(r2_new == r2[k] && j < index[k])' '(r2_new == r2[k] && j > index[k])' \
  'nearest two: ties go to the larger index'
mutation $nearest 'index[1] = index[0];' '' \
  'nearest two: a displaced nearest row leaves its index behind'

pairwise=native/src/cpu/pairwise_cpu.cpp
mutation $pairwise 'const bool self = p.leave_one_out && j == begin + q + p.self_offset;' \
  'const bool self = p.leave_one_out && j == begin + q + p.self_offset + 1;' \
  'nearest two under leave-one-out skips row i + 1 instead of i'
# Not "the distance sum ignores leave-one-out": the pair it skips is a point and itself, at
# distance 0, so dropping the skip changes no sum (an equivalent mutant).
mutation $pairwise $'if (p.leave_one_out && j == i + p.self_offset) continue;\n                double w' \
  $'if (p.leave_one_out && j == i + p.self_offset + 1) continue;\n                double w' \
  'distance sum under leave-one-out skips row i + 1 instead of i'
mutation $pairwise 'w * std::sqrt(squared_distance_double(p.queries + i * p.d, p.data + j * p.d, p.d))' \
  'w * squared_distance_double(p.queries + i * p.d, p.data + j * p.d, p.d)' \
  'distance sum of squared distances'

# ---- the run ------------------------------------------------------------------------------------

# How often `needle` occurs in the file's text.
occurrences() {
  local text rest
  text="$(<"$1")"
  rest="${text//"$2"/}"
  echo $(((${#text} - ${#rest}) / ${#2}))
}

mkdir -p "$scratch"
# A fresh build too: objects left by an interrupted run may hold a mutation newer than its source.
rm -rf "$scratch/tree" "$scratch/build" && mkdir -p "$scratch/tree"
tar -C "$root" --exclude=./target --exclude=./.git -cf - . | tar -C "$scratch/tree" -xf -

# A list entry that no longer matches its file stops the run before anything is built.
stale=0
for i in "${!files[@]}"; do
  found="$(occurrences "$scratch/tree/${files[$i]}" "${originals[$i]}")"
  if [[ $found -ne 1 ]]; then
    echo "mutation $((i + 1)) (${descriptions[$i]}): its original text occurs $found times" \
      "in ${files[$i]}, not once" >&2
    stale=1
  fi
done
[[ $stale -eq 0 ]] || exit 2

cmake -S "$scratch/tree" -B "$scratch/build" -DKGEN_CUDA=OFF -DKGEN_BUILD_EMULATION=OFF \
  -DCMAKE_BUILD_TYPE=Release >"$scratch/configure.log" 2>&1 ||
  { echo "configure failed: see $scratch/configure.log" >&2; exit 2; }

# The kgen_abi groups that failed, comma-separated; empty when all passed. 0: it built.
run_suite() {
  cmake --build "$scratch/build" -j"$jobs" --target kgen_abi_test >"$scratch/build.log" 2>&1 || return 1
  ctest --test-dir "$scratch/build" -R kgen_abi --timeout 300 >"$scratch/ctest.log" 2>&1
  sed -n '/tests FAILED:/,$p' "$scratch/ctest.log" | grep -o 'kgen_abi\.[a-z_]*' | sort -u | paste -sd, -
  return 0  # grep finds nothing when every group passed
}

if ! failed="$(run_suite)" || [[ -n $failed ]]; then
  echo "the unmutated tree fails (${failed:-does not build}): see $scratch/build.log and $scratch/ctest.log" >&2
  exit 2
fi

killed=0
survived=0
for i in "${!files[@]}"; do
  file="$scratch/tree/${files[$i]}"
  cp "$file" "$scratch/original"
  text="$(<"$file")"
  printf '%s\n' "${text/"${originals[$i]}"/"${replacements[$i]}"}" >"$file"
  if ! failed="$(run_suite)"; then
    verdict="killed (does not build)"
  elif [[ -n $failed ]]; then
    verdict="killed ($failed)"
  else
    verdict="survived"
  fi
  cp "$scratch/original" "$file"  # a fresh mtime: the next build recompiles the restored file
  printf '%2d %s: %s -> %s\n' $((i + 1)) "${files[$i]}" "${descriptions[$i]}" "$verdict"
  if [[ $verdict == survived ]]; then survived=$((survived + 1)); else killed=$((killed + 1)); fi
done

echo "native mutations: $killed killed, $survived survived, of ${#files[@]}"
[[ $survived -eq 0 ]]

#!/usr/bin/env bash
# Packs the one-shot GPU check into target/gpu-check: everything a GPU host with only the NVIDIA
# driver and a CUDA toolkit needs (no JDK, no Maven, no network) to run check.sh there.
#   mvn -B verify                 # or: mvn -B -DskipTests test-compile (with nvcc, for CUDA)
#   bash bench/gpu/bundle.sh      # writes target/gpu-check (about 50 MB)
#   bash target/gpu-check/check.sh report/   # on the GPU host
# What goes in: a Java runtime made by jlink (when this JDK has jmods; else check.sh uses the
# host's java), the test classpath's jars and the JUnit console launcher, the compiled classes
# (native libraries inside), the native CUDA-vs-CPU driver with libkgen, the tensor-core check,
# the kernel lab, the PyTorch peer script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="$root/target/gpu-check"
native_build=java/core/target/native-build
for module in core cli jcuda; do
  [[ -d java/$module/target/classes && -d java/$module/target/test-classes ]] || {
    echo "bundle.sh: build first (mvn -B verify, or mvn -B -DskipTests test-compile)" >&2
    exit 2
  }
done
selftest=$native_build/kgen_selftest
[[ -x $selftest ]] || { echo "bundle.sh: $selftest is missing: build the native tests first" >&2; exit 2; }

rm -rf "$out/lib" "$out/console" "$out/classes" "$out/test-classes" "$out/native" "$out/peer"
mkdir -p "$out/lib" "$out/console" "$out/native" "$out/peer"

# The Java runtime: built once, kept across bundles (jlink takes a while).
if [[ ! -f $out/jre.tgz ]]; then
  java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  if [[ -x $java_home/bin/jlink && -d $java_home/jmods ]]; then
    scratch="$(mktemp -d)"
    "$java_home/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.unsupported \
      --strip-debug --no-header-files --no-man-pages --output "$scratch/jre"
    tar czf "$out/jre.tgz" -C "$scratch" jre
    rm -rf "$scratch"
  else
    echo "bundle.sh: no jlink/jmods under $java_home: the bundle will use the host's java" >&2
  fi
fi

# Jars of the command line's test classpath (JavaCPP, picocli, JUnit, ...; written by its build;
# the reactor's own modules come as class folders below), and the console launcher of the same
# JUnit platform version.
classpath_file=java/cli/target/test-classpath.txt
cat "$classpath_file" java/jcuda/target/test-classpath.txt | tr ':' '\n' | while read -r jar; do
  # the fuzzer (8 MB) only serves the readers' fuzz test, which a GPU host does not run
  if [[ $jar == *.jar && $jar != */java/*/target/* && $jar != */jazzer* ]]; then cp "$jar" "$out/lib/"; fi
done
platform="$(tr ':' '\n' <"$classpath_file" | sed -n 's/.*junit-platform-engine-\([0-9.]*\)\.jar$/\1/p' | head -1)"
mvn -q -B -N dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:${platform:?}" \
  -DoutputDirectory="$out/console"

mkdir -p "$out/classes" "$out/test-classes"
for module in core cli jcuda; do
  cp -r "java/$module/target/classes" "$out/classes/$module"
  cp -r "java/$module/target/test-classes" "$out/test-classes/$module"
done
cp "$selftest" "$native_build/libkgen.so" "$out/native/"
# The tensor-core check exists only in a CUDA build.
[[ -x $native_build/kgen_mma_check ]] && cp "$native_build/kgen_mma_check" "$out/native/"
# So do the kernel lab and the ptxas table of registers, shared memory and spills it prints.
[[ -x $native_build/kgen_cuda_lab ]] && cp "$native_build/kgen_cuda_lab" "$out/native/"
[[ -f $native_build/cuda_resource_usage.txt ]] && cp "$native_build/cuda_resource_usage.txt" "$out/native/"
cp bench/peer/*.py "$out/peer/"
cp bench/gpu/check.sh "$out/check.sh"
echo "bundle.sh: $(du -sh "$out" | cut -f1) in $out"

#!/usr/bin/env bash
# Runs the test suite several times in a row with fresh seeds (kgen.test.seed unset) and reports
# how many runs passed; a failing run's log keeps its "[seed] ..." lines for replaying.
#
#   .ci/repeat-tests.sh 10            # 10 full `mvn -B verify` runs
#   .ci/repeat-tests.sh 10 'DriftingStepTest,KdeAndDkgmTest'
#                                     # 10 runs of those classes only, after one build
# Logs go to target/repeat/run-N.log.
set -u
runs=${1:-10}
tests=${2:-}
cd "$(dirname "$0")/.."
mkdir -p target/repeat
if [ -n "$tests" ]; then
  mvn -B -q -DskipTests verify > target/repeat/build.log 2>&1 || { echo "build failed: target/repeat/build.log"; exit 1; }
fi
passed=0
for i in $(seq 1 "$runs"); do
  log=target/repeat/run-$i.log
  if [ -n "$tests" ]; then
    mvn -B -o surefire:test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1
  else
    mvn -B verify > "$log" 2>&1
  fi
  code=$?
  summary=$(grep -E "Tests run: [0-9]+, Failures" "$log" | tail -1)
  if [ $code -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $i: passed  $summary"
  else
    echo "run $i: FAILED  $summary  (log: $log)"
    grep -E "<<< FAIL|\[seed\]" "$log" | head -40
  fi
done
echo "$passed of $runs runs passed"
[ "$passed" -eq "$runs" ]

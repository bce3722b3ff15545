#!/usr/bin/env bash
# Measures what docs/measurements.md reports for the foundation: build times, product sizes and
# coordinator start-to-ready time. Run from anywhere; it works in the project root.
#
#   releng/measure-foundation.sh            warm local Maven repository only
#   releng/measure-foundation.sh --cold     also a clean build with an empty local repository
#                                           (downloads everything from Maven Central, ~200 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(java -version 2>&1 | head -1)"

if [ "${1:-}" = "--cold" ]; then
  repo=$(mktemp -d)
  t0=$(now); ./mvnw -B -q clean verify -Dmaven.repo.local="$repo" >/dev/null; t1=$(now)
  echo "clean build, empty local repository (downloads included), tests included: $(secs "$t0" "$t1") s; downloaded $(du -sh "$repo" | cut -f1)"
  rm -rf "$repo"
fi

t0=$(now); ./mvnw -B -q -o clean verify >/dev/null; t1=$(now)
echo "clean build, warm local repository, tests included: $(secs "$t0" "$t1") s"
t0=$(now); ./mvnw -B -q -o clean verify -DskipTests >/dev/null; t1=$(now)
echo "clean build, warm local repository, tests skipped: $(secs "$t0" "$t1") s"
t0=$(now); ./mvnw -B -q -o verify -DskipTests >/dev/null; t1=$(now)
echo "no-change rebuild, tests skipped: $(secs "$t0" "$t1") s"

products=product/target/products
for p in daig-coordinator daig-desktop; do
  for env in linux/gtk/x86_64 win32/win32/x86_64 macosx/cocoa/x86_64 macosx/cocoa/aarch64; do
    echo "product $p $env: $(du -sh "$products/$p/$env" | cut -f1) materialized"
  done
done
ls -l "$products"/*.tar.gz "$products"/*.zip | awk '{ printf "archive %s: %.1f MB\n", $9, $5 / 1e6 }' | sed "s|$products/||"

home=$products/daig-coordinator/linux/gtk/x86_64/daig-coordinator
ready=(); status=()
for i in $(seq "$runs"); do
  work=$(mktemp -d)
  t0=$(now)
  DAIG_DATA_DIR=$work/data DAIG_LOG_DIR=$work/logs "$home/bin/daig-coordinator" >"$work/out" 2>&1 &
  pid=$!
  until grep -q 'DAIG coordinator ready' "$work/out"; do sleep 0.02; done
  t1=$(now)
  until curl -sf -o /dev/null http://127.0.0.1:7700/api/status; do sleep 0.02; done
  t2=$(now)
  ready+=("$(secs "$t0" "$t1")"); status+=("$(secs "$t0" "$t2")")
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$work"
done
echo "coordinator start to 'ready' line, median of $runs: $(printf '%s\n' "${ready[@]}" | median) s (runs: ${ready[*]})"
echo "coordinator start to GET /api/status = 200, median of $runs: $(printf '%s\n' "${status[@]}" | median) s (runs: ${status[*]})"

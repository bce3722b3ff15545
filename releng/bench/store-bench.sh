#!/usr/bin/env bash
# Runs releng/bench/StoreBench.java: an accepted result's writes in the coordinator's H2 store, with and without
# the indexes by delta and by device that schema 17 dropped (issue 16). Needs H2 in the local Maven repository
# (any build of this project puts it there).
#   releng/bench/store-bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
h2=$(ls ~/.m2/repository/com/h2database/h2/2.*/h2-2.*.jar 2>/dev/null | grep -v sources | sort -V | tail -1 || true)
[ -n "$h2" ] || { echo "store-bench: no H2 jar under ~/.m2/repository/com/h2database/h2: run ./mvnw -B verify first" >&2; exit 1; }
mkdir -p work/bench/classes
javac -d work/bench/classes -cp "$h2" releng/bench/StoreBench.java
exec java -Xmx2g -cp "work/bench/classes:$h2" StoreBench "$@"

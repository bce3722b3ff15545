#!/usr/bin/env bash
# Runs releng/bench/AggregationBench.java against the coordinator's classes (builds them if needed).
#   releng/bench/aggregation-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
c=bundles/org.daig.coordinator/target/classes
l=bundles/org.daig.wire/target/classes
if [ ! -d "$c/org/daig/coordinator/aggregate" ] || [ ! -f "$l/org/daig/wire/VectorFile.class" ]; then
  ./mvnw -B -q compile -pl target-platform,bundles/org.daig.api,bundles/org.daig.wire,bundles/org.daig.coordinator
fi
cp="$c:$l:bundles/org.daig.api/target/classes"
# Compiled ahead rather than run as a source file: in source-file mode the same loops ran 7x slower here.
mkdir -p work/bench/classes
javac -d work/bench/classes -cp "$cp" releng/bench/AggregationBench.java
java -Xmx3g -cp "work/bench/classes:$cp" AggregationBench

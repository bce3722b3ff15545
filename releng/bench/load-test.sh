#!/usr/bin/env bash
# Protocol-level load test (issues 4 and 16): N simulated providers against one coordinator product.
#   releng/bench/load-test.sh 100 1000                  a 3-round project of N tasks a round, to its end
#   releng/bench/load-test.sh --minutes 10 10000        10,000 providers working for 10 minutes (tasks of 15 s; --work-ms W)
#     its results/s: results the coordinator accepted within those minutes, over those minutes; also the mean round time
# Needs the products and the product tests' classes: ./mvnw -B verify (or -DskipTests) first.
# DAIG_PRODUCTS=DIR runs the coordinator of another build's products (a copy of product/target/products): a same-machine baseline.
# LOAD_JAVA_OPTS=-Ddaig.load.coordinatorJava=JDK_HOME runs the coordinator on another JDK than the generator's.
# LOAD_JAVA_OPTS=-Ddaig.load.localRoute=false: the coordinator's bus reaches its embedded broker over TCP (no in-process route): a same-build baseline.
# Prints one summary line per run; exits non-zero (with the reason) if a result was lost or the run did not finish in time.
# Deletes its work folder in /tmp after a passed run (GBs at 10,000 providers); keeps it, and says where, after a failed one.
set -euo pipefail
cd "$(dirname "$0")/../.."
m=tests/org.daig.product.tests
products=${DAIG_PRODUCTS:-product/target/products}
for f in "$m/target/test-classes/org/daig/product/tests/LoadGenerator.class" "$m/target/test-classpath.txt" "$products"; do
  [ -e "$f" ] || { echo "load-test: $f is missing: run ./mvnw -B verify first" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || true
exec java -Xmx2g ${LOAD_JAVA_OPTS:-} -Ddaig.products="$products" -cp "$m/target/test-classes:$(cat "$m/target/test-classpath.txt")" \
  org.daig.product.tests.LoadGenerator "${@:-100}"

#!/usr/bin/env bash
# Protocol-level load test (issue 4): N simulated providers against one coordinator product.
#   releng/bench/load-test.sh 100 1000      (needs the products: ./mvnw verify, or package)
set -euo pipefail
cd "$(dirname "$0")/../.."
m=tests/org.daig.product.tests
./mvnw -B -q -o test-compile -pl $m -Dmaven.test.skip.exec=true >/dev/null
./mvnw -B -q -o dependency:build-classpath -pl $m -Dmdep.outputFile=target/load.classpath -Dmdep.includeScope=test >/dev/null
cp="$m/target/test-classes:$(cat $m/target/load.classpath)"
ulimit -n 65536 2>/dev/null || true
java -Xmx2g -Xss256k -Ddaig.products=product/target/products -cp "$cp" org.daig.product.tests.LoadGenerator "${@:-100}"

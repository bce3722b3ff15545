#!/usr/bin/env bash
# Protocol-level load test (issue 4): N simulated providers against one coordinator product.
#   releng/bench/load-test.sh 100 1000      (after ./mvnw -B verify: needs the products and the test classes)
set -euo pipefail
cd "$(dirname "$0")/../.."
m=tests/org.daig.product.tests
repo=${MAVEN_REPO:-$HOME/.m2/repository}
for f in "$m/target/test-classes/org/daig/product/tests/LoadGenerator.class" bundles/org.daig.blob.client/target/classes; do
  [ -e "$f" ] || { echo "load-test: $f is missing: run ./mvnw -B verify first" >&2; exit 1; }
done
cp="$m/target/test-classes:bundles/org.daig.blob.client/target/classes:bundles/org.daig.trust/target/classes"
cp="$cp:$repo/com/google/code/gson/gson/2.15.0/gson-2.15.0.jar:$repo/org/eclipse/paho/org.eclipse.paho.client.mqttv3/1.2.5/org.eclipse.paho.client.mqttv3-1.2.5.jar"
# ProductProcess waits with Awaitility and fails with JUnit's assertions
cp="$cp:$repo/org/awaitility/awaitility/4.3.0/awaitility-4.3.0.jar:$repo/org/hamcrest/hamcrest/2.2/hamcrest-2.2.jar"
cp="$cp:$repo/org/junit/jupiter/junit-jupiter-api/5.11.4/junit-jupiter-api-5.11.4.jar:$repo/org/opentest4j/opentest4j/1.3.0/opentest4j-1.3.0.jar"
cp="$cp:$repo/org/junit/platform/junit-platform-commons/1.11.4/junit-platform-commons-1.11.4.jar"
ulimit -n 65536 2>/dev/null || true
java -Xmx2g -Xss256k -Ddaig.products=product/target/products -cp "$cp" org.daig.product.tests.LoadGenerator "${@:-100}"

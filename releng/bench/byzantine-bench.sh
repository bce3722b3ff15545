#!/usr/bin/env bash
# Issue 13's benchmark: attacks against the coordinator's checks and rules, with the built products
# (./mvnw -B verify first) and Debian's Fashion-MNIST. Simulated volunteers train the demo's MLP for
# real in trainer workers; 1 of 4 and 7 of 16 of them attack. Prints one line per project and ends with
#   byzantine: worst accuracy drop X.XX points (attack A, rule R); banned N of M
#
#   releng/bench/byzantine-bench.sh [--quick] [--checks off] [--data DIR --model FILE.h5]
# --checks off: the coordinator replays nothing (spotCheckRate=0, spotCheckNewDevices=0), to see what the rules do alone
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
m=tests/org.daig.product.tests
repo=${MAVEN_REPO:-$HOME/.m2/repository}
ch=$root/product/target/products/daig-coordinator/linux/gtk/x86_64/daig-coordinator
work=$root/work/byzantine-bench
for f in "$m/target/test-classes/org/daig/product/tests/ByzantineBench.class" bundles/org.daig.trainer.launcher/target/classes \
         bundles/org.daig.trainer/target/worker-root/worker/lib "$ch/bin/daig"; do
  [ -e "$f" ] || { echo "byzantine-bench: $f is missing: run ./mvnw -B verify first" >&2; exit 1; }
done
args=("$@")
if [[ " $* " != *" --data "* ]]; then
  mkdir -p "$work"
  [ -f "$work/data/test_y.npy" ] || DAIG_DATA_DIR=$work/cli "$ch/bin/daig" data fashion-mnist --out "$work/data" >/dev/null
  [ -f "$work/mlp.h5" ] || DAIG_DATA_DIR=$work/cli "$ch/bin/daig" model make-mlp --out "$work/mlp.h5" --inputs 784 --outputs 10 \
      --hidden 256,128 --seed 1 >/dev/null
  args+=(--data "$work/data" --model "$work/mlp.h5")
fi
rm -rf "$work/grid" # a fresh coordinator each run
cp="$m/target/test-classes:bundles/org.daig.blob.client/target/classes:bundles/org.daig.trust/target/classes"
cp="$cp:bundles/org.daig.api/target/classes:bundles/org.daig.wire/target/classes:bundles/org.daig.trainer.launcher/target/classes"
cp="$cp:$repo/com/google/code/gson/gson/2.15.0/gson-2.15.0.jar:$repo/org/eclipse/paho/org.eclipse.paho.client.mqttv3/1.2.5/org.eclipse.paho.client.mqttv3-1.2.5.jar"
# ProductProcess waits with Awaitility and fails with JUnit's assertions
cp="$cp:$repo/org/awaitility/awaitility/4.3.0/awaitility-4.3.0.jar:$repo/org/hamcrest/hamcrest/2.2/hamcrest-2.2.jar"
cp="$cp:$repo/org/junit/jupiter/junit-jupiter-api/5.11.4/junit-jupiter-api-5.11.4.jar:$repo/org/opentest4j/opentest4j/1.3.0/opentest4j-1.3.0.jar"
cp="$cp:$repo/org/junit/platform/junit-platform-commons/1.11.4/junit-platform-commons-1.11.4.jar"
java -Xmx2g -Ddaig.products=product/target/products -Ddaig.root="$root" \
  -Ddaig.worker.dir=bundles/org.daig.trainer/target/worker-root/worker -cp "$cp" org.daig.product.tests.ByzantineBench \
  --work "$work" "${args[@]}"

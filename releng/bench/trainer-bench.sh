#!/usr/bin/env bash
# Runs releng/bench/TrainerBench.java on the trainer's class path, one thread (OMP_NUM_THREADS=1).
#   releng/bench/trainer-bench.sh [SHARED_DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
t=bundles/org.daig.trainer/target/worker-root/worker
if [ ! -f "$t/org.daig.trainer-0.1.0-SNAPSHOT.jar" ]; then ./mvnw -B -q package -DskipTests -pl target-platform,bundles/org.daig.api,bundles/org.daig.wire,bundles/org.daig.experts,bundles/org.daig.trust,bundles/org.daig.blob.client,bundles/org.daig.requestor,bundles/org.daig.trainer.launcher,bundles/org.daig.trainer; fi
OMP_NUM_THREADS=1 java -Xmx4g -Dorg.bytedeco.javacpp.cachedir=work/javacpp -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -cp "$t/org.daig.trainer-0.1.0-SNAPSHOT.jar:$t/lib/*:bundles/org.daig.api/target/org.daig.api-0.1.0-SNAPSHOT.jar:bundles/org.daig.trainer.launcher/target/org.daig.trainer.launcher-0.1.0-SNAPSHOT.jar" releng/bench/TrainerBench.java "${1:-../shared/data}" work/bench

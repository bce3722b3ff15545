#!/usr/bin/env bash
# The experts benchmark (issue 18). Only its DHT part exists so far:
#   releng/bench/experts-bench.sh --dht-only            1,000 simulated peers, 16,384 experts, 10,000 lookups
#   releng/bench/experts-bench.sh --dht-only --quick    200 peers, 1,024 experts, 2,000 lookups (seconds)
# Further options go to org.daig.experts.bench.DhtBench (--peers N --grid AxB --lookups N --churn F
# --delay-ms D --jitter-ms J --drop P --timeout-ms T --window-s S --seed S).
# Latencies are simulated time (each message takes --delay-ms one way), not wall time: see docs/experts.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
dht_only=0
args=()
for a in "$@"; do
  case "$a" in
    --dht-only) dht_only=1 ;;
    *) args+=("$a") ;;
  esac
done
if [ "$dht_only" != 1 ]; then
  echo "experts-bench: only --dht-only is built so far; the Fashion-MNIST accuracy runs (clean, and with an expert host killed" >&2
  echo "and +50 ms on expert calls) come with the expert servers (docs/experts.md, \"What comes next\")" >&2
  exit 2
fi
c=bundles/org.daig.experts/target/classes
if [ ! -f "$c/org/daig/experts/bench/DhtBench.class" ]; then
  ./mvnw -B -q -o compile -pl target-platform,bundles/org.daig.experts
fi
exec java -Xmx3g -cp "$c" org.daig.experts.bench.DhtBench "${args[@]+"${args[@]}"}"

#!/usr/bin/env bash
# Issue 5 measurements on this machine, with the built products (./mvnw verify first):
#   P1  wall time of a distributed run (coordinator + 1 provider; 1 task of all the training rows,
#       so the provider does exactly the local run's work) / `daig train-local`, same data, epochs, batch
#   P2  Fashion-MNIST MLP, 4 providers with K=4 vs train-local, same data epochs and seed: test accuracy
#
#   releng/bench/grid-bench.sh [p1|p2|all]       (needs dataset-fashion-mnist)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
products=$root/product/target/products
ch=$products/daig-coordinator/linux/gtk/x86_64/daig-coordinator
dh=$products/daig-desktop/linux/gtk/x86_64/daig-desktop
work=$root/work/grid-bench
what=${1:-all}
epochs=${EPOCHS:-2}; batch=64
rm -rf "$work"; mkdir -p "$work"
cli() { DAIG_DATA_DIR=$work/cli "$ch/bin/daig" "$@"; }
now() { date +%s.%N; }
wait_for() { for _ in $(seq 1 900); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no '$2' in $1" >&2; exit 1; }

cli data fashion-mnist --out "$work/data" >/dev/null
cli model make-mlp --out "$work/mlp.h5" --inputs 784 --outputs 10 --hidden 256,128 --seed 1 >/dev/null
threads=1
echo "machine: $(nproc) cores; Fashion-MNIST 60,000 train / 10,000 test; MLP 784-256-128-10; $epochs epochs, batch $batch; worker threads $threads"

start_grid() { # providers
  mkdir -p "$work/c"
  DAIG_DATA_DIR=$work/c/data DAIG_LOG_DIR=$work/c/logs "$ch/bin/daig-coordinator" >"$work/c.out" 2>&1 &
  pids=$!
  wait_for "$work/c.out" "DAIG coordinator ready"
  for n in $(seq 1 "$1"); do
    p=$work/p$n; mkdir -p "$p/config"; cp "$dh"/config/* "$p/config/"
    sed -i "s/^org.osgi.service.http.port=.*/org.osgi.service.http.port=$((7710 + n))/" "$p/config/org.apache.felix.http.cfg"
    printf 'participateByDefault=true\n' >> "$p/config/org.daig.provider.work.cfg"
    printf 'mode=always\nmaxWorkerThreads=%s\n' $threads >> "$p/config/org.daig.monitor.policy.cfg"
    DAIG_CONFIG_DIR=$p/config DAIG_DATA_DIR=$p/data DAIG_LOG_DIR=$p/logs "$dh/bin/daig-provider" >"$p.out" 2>&1 &
    pids="$pids $!"
    wait_for "$p.out" "DAIG provider ready"
  done
  trap 'kill $pids 2>/dev/null; wait $pids 2>/dev/null' EXIT
  sleep 2 # let the providers start their warm workers, as a running grid has them
}
stop_grid() { kill $pids 2>/dev/null; wait $pids 2>/dev/null || true; trap - EXIT; rm -rf "$work/c" "$work"/p?; }

local_run() { # seed; sets local_s and acc
  t0=$(now)
  OMP_NUM_THREADS=$threads DAIG_DATA_DIR=$work/cli "$ch/bin/daig" train-local --model "$work/mlp.h5" --x "$work/data/train_x.npy" \
    --y "$work/data/train_y.npy" --epochs $epochs --batch $batch --seed "$1" --out "$work/local" >"$work/local.out"
  local_s=$(echo "$(now) - $t0" | bc)
  acc=$(cli model evaluate "$work/local/model.h5" --x "$work/data/test_x.npy" --y "$work/data/test_y.npy" | sed -n 's/accuracy: \([0-9.]*\).*/\1/p')
}

grid_run() { # tasks k passes local-epochs seed; sets grid_s and acc
  t0=$(now)
  id=$(cli submit --model "$work/mlp.h5" --x "$work/data/train_x.npy" --y "$work/data/train_y.npy" --epochs "$4" --batch $batch \
        --tasks "$1" --k "$2" --contributors "$2" --validation 0 --passes "$3" --seed "$5" | tail -n 1)
  cli watch "$id" >"$work/watch-$id.out"
  grid_s=$(echo "$(now) - $t0" | bc)
  # the training proper: from version 0 (project prepared) to the last version, from the coordinator's own clock
  train_s=$(curl -s "http://127.0.0.1:7700/api/v1/projects/$id/versions" | tr -d ' \n' | grep -o '"at":[0-9]*' | sed 's/"at"://' \
    | awk 'NR==1{f=$1} {l=$1} END{printf "%.1f", (l-f)/1000}')
  cli download "$id" --format h5 --out "$work/$id.h5" >/dev/null
  acc=$(cli model evaluate "$work/$id.h5" --x "$work/data/test_x.npy" --y "$work/data/test_y.npy" | sed -n 's/accuracy: \([0-9.]*\).*/\1/p')
}

if [ "$what" = p1 ] || [ "$what" = all ]; then
  local_run 1; acc_local=$acc
  start_grid 1
  grid_run 1 1 1 $epochs 1; acc_grid=$acc
  stop_grid
  printf 'P1: train-local %.1f s (test accuracy %s); grid, 1 provider, 1 task: %.1f s from submit to completed, ratio %.2f; %.1f s from prepared to the last version, ratio %.2f (test accuracy %s)\n' \
    "$local_s" "$acc_local" "$grid_s" "$(echo "$grid_s / $local_s" | bc -l)" "$train_s" "$(echo "$train_s / $local_s" | bc -l)" "$acc_grid"
fi
if [ "$what" = p2 ] || [ "$what" = all ]; then
  local_run 7; acc_local=$acc
  start_grid 4
  grid_run 16 4 $epochs 1 7; acc_grid=$acc
  stop_grid
  printf 'P2: train-local %d epochs: test accuracy %s (%.1f s); 4 providers, K=4, 16 tasks, %d passes of 1 local epoch: test accuracy %s (%.1f s)\n' \
    $epochs "$acc_local" "$local_s" $epochs "$acc_grid" "$grid_s"
fi

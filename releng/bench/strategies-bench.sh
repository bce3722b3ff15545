#!/usr/bin/env bash
# Issue 15 measurements with the built products (./mvnw verify first; needs dataset-fashion-mnist):
#   strategies   Fashion-MNIST, the demo's MLP (784-256-128-10), 4 providers on this machine, one of them
#                acting 4x slower (slowdownFactor=4): for kbatch-sync, async-apply, async-queue and async-lockfree, the time
#                from the first version to the first whose validation accuracy reaches 0.85, and the test
#                accuracy after the same number of samples (every task of every pass, whatever the strategy)
#   compression  the same with kbatch-sync for fp16, int8 and topk: bytes per task as a ratio to float32,
#                up (the update) and down (the parameters, as compressed differences from the version the
#                provider holds, from the providers' logs), test accuracy after the same rounds; encode/decode time as a ratio to a plain copy of the
#                bytes (CompressionBench, same process)
#   cnn          the strategies again with a small CNN (conv 32, pool, conv 64, pool, dense 128; a Keras 3 file from
#                ../shared/data, its weights drawn afresh by `daig model reinit`), on 28x28x1 images
#
#   releng/bench/strategies-bench.sh [--quick]     (--quick: fewer tasks and passes, no cnn; TOPK=topk:F sets the sparsity,
#                                                   default 0.005; PARTS="strategies compression cnn" chooses the parts)
#   The CNN trains at about 52 samples/s per worker thread on a 2-core machine: the cnn part takes hours there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
products=$root/product/target/products
ch=$products/daig-coordinator/linux/gtk/x86_64/daig-coordinator
dh=$products/daig-desktop/linux/gtk/x86_64/daig-desktop
work=$root/work/strategies-bench
quick=0; [ "${1:-}" = --quick ] && quick=1
if [ $quick = 1 ]; then parts=" ${PARTS:-strategies compression} "; else parts=" ${PARTS:-strategies compression cnn} "; fi
part() { [[ "$parts" == *" $1 "* ]]; }
if [ $quick = 1 ]; then tasks=8; passes=2; else tasks=16; passes=3; fi
batch=64; target=0.85
[ -x "$ch/bin/daig" ] || { echo "build the products first: ./mvnw -B verify" >&2; exit 2; }
rm -rf "$work"; mkdir -p "$work"
cli() { DAIG_DATA_DIR=$work/cli XDG_CONFIG_HOME=$work/requestor-session "$ch/bin/daig" "$@"; }
now() { date +%s.%N; }
wait_for() { for _ in $(seq 1 900); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no '$2' in $1" >&2; exit 1; }

cli data fashion-mnist --out "$work/data" >/dev/null
cli model make-mlp --out "$work/mlp.h5" --inputs 784 --outputs 10 --hidden 256,128 --seed 1 >/dev/null
echo "machine: $(nproc) cores; Fashion-MNIST 60,000 train (10% held out for validation) / 10,000 test; MLP 784-256-128-10;"
echo "$tasks tasks x $passes passes of 1 local epoch, batch $batch; 4 providers of 1 worker thread, one acting 4x slower"

url=http://127.0.0.1:7700
pids=""
json() { grep -o "\"$1\": *\"[^\"]*\"" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/'; }
start_grid() { # slow: 1 when provider 4 acts 4x slower
  local slow=$1
  rm -rf "$work/c" "$work"/p? "$work"/*-session; mkdir -p "$work/c/config" "$work/secrets"; cp "$ch"/config/* "$work/c/config/"
  DAIG_CONFIG_DIR=$work/c/config DAIG_DATA_DIR=$work/c/data DAIG_LOG_DIR=$work/c/logs "$ch/bin/daig-coordinator" >"$work/c.out" 2>&1 &
  pids=$!
  trap 'kill $pids 2>/dev/null; wait $pids 2>/dev/null' EXIT
  wait_for "$work/c.out" "DAIG coordinator ready"
  # accounts as in ./daig demo: the admin makes the requestor 'bench' and an enrolment code for the four providers
  admin() { DAIG_DATA_DIR=$work/cli XDG_CONFIG_HOME=$work/admin-session "$ch/bin/daig" "$@"; }
  admin login --coordinator "$url" --user admin --password-file "$work/c/data/accounts/admin-password" >/dev/null
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$work/secrets/bench.password"
  admin admin useradd bench --role requestor --password-file "$work/secrets/bench.password" >/dev/null
  admin admin useradd volunteer --role volunteer --password-file "$work/secrets/bench.password" >/dev/null
  code=$(admin admin enrol-code --user volunteer --uses 4 --valid-hours 2); code=${code##*[[:space:]]}
  cli login --coordinator "$url" --user bench --password-file "$work/secrets/bench.password" >/dev/null
  token=$(curl -s -X POST "$url/api/v1/login" -d "{\"user\":\"bench\",\"password\":\"$(cat "$work/secrets/bench.password")\"}" | json token)
  for n in 1 2 3 4; do
    p=$work/p$n; mkdir -p "$p/config"; cp "$dh"/config/* "$p/config/"
    sed -i "s/^#\{0,1\}org.osgi.service.http.port=.*/org.osgi.service.http.port=$((7710 + n))/" "$p/config/org.apache.felix.http.cfg"
    printf 'participateByDefault=true\n' >> "$p/config/org.daig.provider.work.cfg"
    if [ $n = 4 ] && [ "$slow" = 1 ]; then printf 'slowdownFactor=4\n' >> "$p/config/org.daig.provider.work.cfg"; fi
    printf 'mode=always\nmaxWorkerThreads=1\n' >> "$p/config/org.daig.monitor.policy.cfg"
    printf '.enrolmentCode=%s\n' "$code" >> "$p/config/org.daig.provider.cfg"
    DAIG_CONFIG_DIR=$p/config DAIG_DATA_DIR=$p/data DAIG_LOG_DIR=$p/logs "$dh/bin/daig-provider" >"$p.out" 2>&1 &
    pids="$pids $!"
  done
  for n in 1 2 3 4; do wait_for "$work/p$n.out" "Provider enrolled"; done
  sleep 2 # warm workers, as a running grid has them
}
stop_grid() { kill $pids 2>/dev/null; wait $pids 2>/dev/null || true; trap - EXIT; }
api() { curl -s -H "Authorization: Bearer $token" "$url$1"; }

model=$work/mlp.h5; train_x=$work/data/train_x.npy; test_x=$work/data/test_x.npy
run() { # strategy compression; sets t85 (s or "-"), acc, bytes (mean bytes per result), wall
  local strategy=$1 compression=$2
  t0=$(now)
  id=$(cli submit --model "$model" --x "$train_x" --y "$work/data/train_y.npy" --epochs 1 --batch $batch \
        --tasks $tasks --k 4 --contributors 4 --validation 0.1 --passes $passes --seed 7 --strategy "$strategy" \
        --compression "$compression" | tail -n 1)
  cli watch "$id" >"$work/watch-$id.out"
  wall=$(echo "$(now) - $t0" | bc)
  # versions: when each was made and its validation accuracy (evaluated in the background: wait for the last one)
  for _ in $(seq 1 600); do
    api "/api/v1/projects/$id/versions" >"$work/versions-$id.json" || true
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); sys.exit(0 if v and v[-1].get("accuracy") is not None else 1)' \
      "$work/versions-$id.json" 2>/dev/null && break
    sleep 0.5
  done
  t85=$(python3 -c 'import json,sys
v=json.load(open(sys.argv[1])); t=float(sys.argv[2]); first=v[0]["at"]
hit=[x["at"] for x in v if x.get("accuracy") is not None and x["accuracy"] >= t]
print("%.1f" % ((hit[0]-first)/1000) if hit else "-")' "$work/versions-$id.json" $target)
  cli download "$id" --format h5 --out "$work/$id.h5" >/dev/null
  acc=$(cli model evaluate "$work/$id.h5" --x "$test_x" --y "$work/data/test_y.npy" | sed -n 's/accuracy: \([0-9.]*\).*/\1/p')
  # the results' update blobs, as the coordinator stored them: their mean size
  api "/api/v1/projects/$id/results" >"$work/results-$id.json"
  # parameters down: what each provider fetched for this project (rebuilt from differences, or whole)
  down=$(python3 -c 'import re,sys
pid=sys.argv[1]; got=[]; whole=0
for f in sys.argv[2:]:
    for line in open(f, errors="replace"):
        m=re.search(r"project %s version \d+ (rebuilt .*: (\d+) bytes instead of (\d+)|downloaded whole: (\d+) bytes)" % pid, line)
        if m:
            got.append(int(m.group(2) or m.group(4))); whole=int(m.group(3) or m.group(4) or whole)
print("%.0f %d" % (sum(got)/len(got), whole) if got else "0 0")' "$id" "$work"/p?.out)
  bytes=$(python3 -c 'import json,sys,os
rs=json.load(open(sys.argv[1])); sizes=[]
for r in rs:
    for d,_,fs in os.walk(sys.argv[2]):
        sizes += [os.path.getsize(os.path.join(d,f)) for f in fs if f.startswith(r["deltaBlob"])]
print("%.0f" % (sum(sizes)/len(sizes)) if sizes else "0")' "$work/results-$id.json" "$work/c/data")
}

declare -A T85 ACC BYTES
strategies() { # label: runs every strategy on the grid with the slowed provider
  start_grid 1
  for s in kbatch-sync async-apply async-queue async-lockfree; do
    run "$s" none; T85[$s]=$t85; ACC[$s]=$acc
    printf '%sstrategy %-14s time to %.2f validation accuracy: %6s s; test accuracy after %d tasks: %s (%.0f s submit to done)\n' "$1" "$s" \
      $target "$t85" $((tasks * passes)) "$acc" "$wall"
  done
  stop_grid
}
best_async() { # sets best, best_t: the asynchronous strategy that reached the target first
  best=""; best_t=""
  for s in async-apply async-queue async-lockfree; do
    t=${T85[$s]}
    if [ "$t" != - ] && { [ -z "$best_t" ] || [ "$(echo "$t < $best_t" | bc)" = 1 ]; }; then best=$s; best_t=$t; fi
  done
}

if part strategies; then
  strategies ""
  best_async; mlp_best=$best; mlp_best_t=$best_t; mlp_sync=${T85[kbatch-sync]} # the summary's (the cnn part reuses T85)
fi

if part compression; then
  # the same four providers, none slowed (the bytes and the accuracy are the question here)
  start_grid 0
  run kbatch-sync none; BYTES[none]=$bytes; ACC[none]=$acc
  printf 'compression %-5s %9s bytes per task; test accuracy %s\n' none "$bytes" "$acc"
  topk=${TOPK:-topk:0.005}
  for c in fp16 int8 $topk; do
    run kbatch-sync "$c"; c=${c%%:*}; BYTES[$c]=$bytes; ACC[$c]=$acc
    printf 'compression %-5s %9s bytes per task (%.1fx smaller than float32 %s); test accuracy %s vs %s uncompressed (%+.2f points)\n' "$c" \
      "$bytes" "$(echo "${BYTES[none]} / $bytes" | bc -l)" "${BYTES[none]}" "$acc" "${ACC[none]}" "$(echo "($acc - ${ACC[none]}) * 100" | bc -l)"
    read -r mean whole <<<"$down"
    if [ "$mean" != 0 ]; then
      printf '  parameters down: %9s bytes per fetch (%.1fx smaller than the whole %s)\n' "$mean" "$(echo "$whole / $mean" | bc -l)" "$whole"
    fi
  done
  stop_grid
  c=$root/bundles/org.daig.wire/target/classes
  mkdir -p "$work/classes"
  javac -d "$work/classes" -cp "$c" "$root/releng/bench/CompressionBench.java"
  java -Xmx2g -cp "$work/classes:$c" CompressionBench 1000000
fi

if part cnn; then
  cnn=$root/../shared/data/keras3/Lynn578__FASHION_MNIST__fashion_mnist_model.keras
  if [ ! -f "$cnn" ]; then
    echo "cnn: skipped, $cnn is missing (../shared/data beside the project holds it)"
  else
    cli model reinit "$cnn" --seed 1 --out "$work/cnn.keras" >/dev/null
    # the same images as 28x28x1: only the .npy header's shape changes
    for f in train_x test_x; do
      python3 - "$work/data/$f.npy" "$work/data/${f}_28.npy" <<'PY'
import re, shutil, struct, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as i, open(dst, "wb") as o:
    magic = i.read(8); n = struct.unpack("<H", i.read(2))[0]; header = i.read(n).decode("latin1")
    rows = int(re.search(r"'shape': \((\d+), 784\)", header).group(1))
    new = header.strip().replace("(%d, 784)" % rows, "(%d, 28, 28, 1)" % rows)
    new += " " * ((64 - (10 + len(new) + 1) % 64) % 64) + "\n"
    o.write(magic + struct.pack("<H", len(new)) + new.encode("latin1")); shutil.copyfileobj(i, o, 1 << 20)
PY
    done
    model=$work/cnn.keras; train_x=$work/data/train_x_28.npy; test_x=$work/data/test_x_28.npy
    echo "cnn: $(cli model inspect "$model" | grep -i 'parameters' | head -n 1)"
    strategies "cnn "
    best_async
    printf 'strategies (cnn): best async (%s) reaches %.2f in %s s vs sync %s s\n' "${best:-none}" $target "${best_t:--}" "${T85[kbatch-sync]}"
  fi
fi

# the summary line comes last
if part strategies && part compression; then
  printf 'strategies: best async (%s) reaches %.2f in %s s vs sync %s s; topk ratio %.0fx at %+.2f points\n' "${mlp_best:-none}" $target \
    "${mlp_best_t:--}" "$mlp_sync" "$(echo "${BYTES[none]} / ${BYTES[topk]}" | bc -l)" "$(echo "(${ACC[topk]} - ${ACC[none]}) * 100" | bc -l)"
fi

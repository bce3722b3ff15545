#!/usr/bin/env bash
# What TLS costs (issue 12), measured on the coordinator product in one run, plain against TLS
# (org.daig.tls mode=on: HTTPS on the HTTP port, MQTT over TLS on its own port):
#   - downloading a 100 MB blob over HTTP(S) with curl (median of 3; --quick: 20 MB),
#   - task round trips: a provider's TaskRequest and the coordinator's TaskReply over MQTT (median
#     of 500 after a warm-up; --quick: 100), with the provider's real trust (the pinned certificate).
#   releng/bench/tls-bench.sh [--quick]      (after ./mvnw -B verify: needs the products)
# Last line:  TLS cost: blob download N.NN× plain, task round trip N.NN× plain
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=0; [ "${1:-}" = "--quick" ] && quick=1
mb=100; trips=500; [ $quick = 1 ] && { mb=20; trips=100; }
ch=$root/product/target/products/daig-coordinator/linux/gtk/x86_64/daig-coordinator
repo=${MAVEN_REPO:-$HOME/.m2/repository}
paho=$repo/org/eclipse/paho/org.eclipse.paho.client.mqttv3/1.2.5/org.eclipse.paho.client.mqttv3-1.2.5.jar
trust=$root/bundles/org.daig.trust/target/classes
for f in "$ch/bin/daig-coordinator" "$paho" "$trust/org/daig/trust/PinnedTrust.class"; do
  [ -e "$f" ] || { echo "tls-bench: $f is missing: run ./mvnw -B verify first" >&2; exit 1; }
done
work=$root/work/tls-bench; rm -rf "$work"; mkdir -p "$work"
blob=$work/blob.bin; head -c $((mb * 1024 * 1024)) /dev/urandom > "$blob"
id=$(sha256sum "$blob" | cut -d' ' -f1)
password=bench-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
json() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }

measure() { # plain|tls -> prints "download_seconds roundtrip_micros"
  local mode=$1 dir=$work/$1 http=7790 mqtt=1893 mqtts=8893
  mkdir -p "$dir/config"; cp "$ch"/config/* "$dir/config/"
  sed -i "s/^org.osgi.service.http.port=.*/org.osgi.service.http.port=$http/" "$dir/config/org.apache.felix.http.cfg"
  printf 'mode=on\nhost=127.0.0.1\nport=%s\ntlsPort=%s\n' $mqtt $mqtts > "$dir/config/org.daig.broker.cfg"
  sed -i "s#^brokerUrl=.*#brokerUrl=tcp://127.0.0.1:$mqtt#" "$dir/config/org.daig.transport.mqtt-coordinator.cfg"
  [ "$mode" = tls ] && printf 'mode=on\n' > "$dir/config/org.daig.tls.cfg"
  DAIG_ADMIN_PASSWORD=$password DAIG_CONFIG_DIR=$dir/config DAIG_DATA_DIR=$dir/data DAIG_LOG_DIR=$dir/logs \
    "$ch/bin/daig-coordinator" > "$dir/out.log" 2>&1 &
  local pid=$!
  trap "kill $pid 2>/dev/null" EXIT
  local base=http://127.0.0.1:$http curl=(curl -sS --fail) url=tcp://127.0.0.1:$mqtt
  if [ "$mode" = tls ]; then
    base=https://127.0.0.1:$http; url=ssl://127.0.0.1:$mqtts; curl+=(--cacert "$dir/data/tls/ca.pem")
  fi
  # the ready line names the URL that stays (with TLS on, the https one, once Jetty serves it)
  for _ in $(seq 1 600); do grep -q "DAIG coordinator ready: status at $base/" "$dir/out.log" && break; sleep 0.2; done
  grep -q "DAIG coordinator ready: status at $base/" "$dir/out.log" \
    || { echo "tls-bench: the $mode coordinator did not say it is ready at $base; see $dir/out.log" >&2; kill $pid; exit 1; }
  local token
  token=$("${curl[@]}" -X POST "$base/api/v1/login" -d "{\"user\":\"admin\",\"password\":\"$password\"}" | json token)
  "${curl[@]}" -o /dev/null -X PUT -H "Authorization: Bearer $token" --data-binary @"$blob" "$base/api/v1/blobs/$id"
  local seconds; seconds=$(for _ in 1 2 3; do "${curl[@]}" -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base/api/v1/blobs/$id"; done | median)
  local code; code=$("${curl[@]}" -X POST -H "Authorization: Bearer $token" "$base/api/v1/admin/enrolment-codes" -d '{"user":"admin","uses":1,"validHours":1}' | json code)
  local device; device=$("${curl[@]}" -X POST "$base/api/v1/devices" -d "{\"deviceId\":\"bench-dev\",\"name\":\"bench\",\"code\":\"$code\"}" | json token)
  local micros; micros=$(java -cp "$paho:$trust" "$root/releng/bench/TlsRoundTrips.java" "$url" bench-dev "$device" $trips "$dir/pin")
  kill $pid; wait $pid 2>/dev/null || true
  echo "$seconds $micros"
}

echo "machine: $(nproc) cores; blob ${mb} MB, $trips task round trips; coordinator product, one process at a time"
read -r plain_s plain_us < <(measure plain)
read -r tls_s tls_us < <(measure tls)
echo "blob download ${mb} MB: plain ${plain_s} s, TLS ${tls_s} s"
echo "task round trip (median): plain ${plain_us} µs, TLS ${tls_us} µs"
awk -v a="$tls_s" -v b="$plain_s" -v c="$tls_us" -v d="$plain_us" \
  'BEGIN { printf "TLS cost: blob download %.2f× plain, task round trip %.2f× plain\n", a / b, c / d }'

#!/usr/bin/env bash
# The install test of the Debian packages (DebianPackagesTest runs it in the build; by hand:
# releng/packages/install-test.sh product/target/packages). In a fresh Debian made by debootstrap
# (minbase: no Java at all) it installs daig-coordinator with apt, checks the user, the folders and
# the unit, starts the coordinator as systemd would (the unit's user, environment and ExecStart)
# and asks /health over HTTP, stops it with SIGTERM; installs daig-desktop and runs daig as an
# ordinary user (the command line and a trainer worker, on the bundled runtime); then purges the
# coordinator and checks that nothing of it is left.
#
# Exit status: 0 passed, 1 failed (the reason on stderr), 77 skipped (the reason on stdout): not
# root, no debootstrap, or the Debian mirror unreachable.
#
# Everything runs in its own mount and PID namespaces (unshare): the mounts under the Debian root
# and every process started there go when the test ends, whatever way it ends; the coordinator
# also gets its own network namespace, so its ports (7700, 1883) never meet this machine's.
# Cached between runs, in DAIG_DEB_TEST_CACHE (default /var/cache/daig/deb-install-test): the
# finished debootstrap root as a tar, and the .debs apt downloads (GTK for the desktop).
set -euo pipefail
suite=bookworm
mirror=${DAIG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${DAIG_DEB_TEST_CACHE:-/var/cache/daig/deb-install-test}
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "install-test: SKIPPED: $*"; exit 77; }
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
step() { echo "install-test: $(date +%T) $*"; }

if [ "${1:-}" = --inside ]; then
  inside=1 root=$2 pkgs=$3
else
  inside=
  [ $# -eq 1 ] || fail "usage: install-test.sh PACKAGES-DIR (the folder with the .debs)"
  pkgs=$(cd "$1" && pwd)
fi

# ---------------------------------------------------------------- inside the namespaces
if [ -n "$inside" ]; then
  in_root() { chroot "$root" "$@"; }
  apt_in_root() { in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@"; }
  # the root a mount point of its own, as / is on a real system: Java's FileStore (the blob
  # store's free-space check) looks the path's mount up in /proc/self/mounts
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/run"
  mkdir -p "$cache/archives/partial"
  mount --bind "$cache/archives" "$root/var/cache/apt/archives"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount --bind -o ro "$pkgs" "$root/mnt"

  in_root sh -c 'command -v java' >/dev/null && fail "the fresh root has a java: the test would prove nothing"
  step "apt-get update in the fresh root"
  apt_in_root update >/dev/null || fail "apt-get update in the fresh root failed"

  step "apt install ./daig-coordinator_*.deb"
  apt_in_root install --no-install-recommends "$(cd "$root" && echo mnt/daig-coordinator_*_amd64.deb | sed "s|^|/|")" |
    grep -E '^(Setting up|Unpacking) daig' || fail "apt could not install daig-coordinator"
  in_root dpkg-query -W -f='${Status}\n' daig-coordinator | grep -qx 'install ok installed' || fail "daig-coordinator is not installed"

  step "the user, the folders, the unit"
  IFS=: read -r _ _ uid gid _ home shell < <(in_root getent passwd daig) || fail "no user daig after the install"
  [ "$uid" -lt 1000 ] || fail "daig is not a system user (uid $uid)"
  [ "$home" = /var/lib/daig-coordinator ] || fail "daig's home is $home, not /var/lib/daig-coordinator"
  [ "$shell" = /usr/sbin/nologin ] || fail "daig's shell is $shell, not /usr/sbin/nologin"
  check_stat() { # path owner:group mode
    local got
    got=$(in_root stat -c '%U:%G %a' "$1") || fail "$1 is missing"
    [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
  }
  check_stat /var/lib/daig-coordinator daig:daig 750
  check_stat /var/log/daig-coordinator daig:daig 750
  check_stat /etc/daig-coordinator root:daig 750
  check_stat /etc/daig-coordinator/org.daig.accounts.cfg root:daig 640
  [ "$(readlink "$root/opt/daig-coordinator/config")" = /etc/daig-coordinator ] || fail "/opt/daig-coordinator/config is not a link to /etc/daig-coordinator"
  [ -x "$root/opt/daig-coordinator/runtime/bin/java" ] || fail "no bundled runtime in /opt/daig-coordinator/runtime"
  for f in org.apache.felix.http.cfg logback.xml org.daig.coordinator.projects.cfg; do
    grep -qx "/etc/daig-coordinator/$f" "$root/var/lib/dpkg/info/daig-coordinator.conffiles" || fail "/etc/daig-coordinator/$f is not a conffile"
  done
  unit=$root/lib/systemd/system/daig-coordinator.service
  [ -f "$unit" ] || fail "no unit /lib/systemd/system/daig-coordinator.service"
  # the root's own systemd (a server has one; minbase has not) checks the unit: keys, ExecStart, user
  apt_in_root install --no-install-recommends systemd >/dev/null || fail "apt could not install systemd"
  in_root systemd-analyze verify /lib/systemd/system/daig-coordinator.service ||
    fail "systemd-analyze verify finds fault with the unit"
  key() { sed -n "s/^$1=//p" "$unit"; }
  [ "$(key User)" = daig ] || fail "the unit does not run as daig"
  exec_start=$(key ExecStart)
  [ -n "$exec_start" ] || fail "the unit has no ExecStart"
  env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" USER=daig LOGNAME=daig)
  while IFS= read -r e; do env+=("$e"); done < <(key Environment)
  # /etc/default/daig-coordinator: KEY=VALUE lines that the admin uncommented
  while IFS= read -r e; do env+=("$e"); done < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$root/etc/default/daig-coordinator" || true)

  step "the coordinator as the unit starts it: setpriv daig, ${#env[@]} variables, $exec_start"
  touch "$root/tmp/before-start"
  log=$root/tmp/coordinator.out
  # its own network namespace: only loopback, ports of its own
  unshare --net bash -c '
    root=$1 log=$2; shift 2
    ip link set lo up
    chroot "$root" setpriv --reuid=daig --regid=daig --init-groups sh -c "umask 0027; exec env -i \"\$@\"" sh "$@" > "$log" 2>&1 &
    pid=$!
    deadline=$((SECONDS + 180))
    until body=$(curl -sS --fail-with-body --max-time 5 http://127.0.0.1:7700/health 2>&1); do
      if ! kill -0 $pid 2>/dev/null; then echo "install-test: FAILED: the coordinator exited before /health answered" >&2; exit 1; fi
      if [ $SECONDS -ge $deadline ]; then echo "install-test: FAILED: no good answer from /health in 180 s; the last: $body" >&2; exit 1; fi
      sleep 0.5 # a poll of /health: each try asks the real condition
    done
    echo "install-test: /health answered after $((SECONDS)) s: $(echo $body | tr -d " \n")"
    echo "$body" | grep -q "\"status\": *\"UP\"" || { echo "install-test: FAILED: /health is not UP" >&2; exit 1; }
    kill -TERM $pid
    rc=0; wait $pid || rc=$?
    [ $rc -eq 143 ] || { echo "install-test: FAILED: the coordinator ended with $rc after SIGTERM, not 143 (the unit'"'"'s SuccessExitStatus)" >&2; exit 1; }
    echo "install-test: SIGTERM: exit 143, clean"
  ' bash "$root" "$log" "${env[@]}" $exec_start || { sed 's/^/  coordinator: /' "$log" >&2; fail "the coordinator did not run as the service would"; }
  grep -q "ready" "$log" || fail "no ready line in the coordinator's output (the journal's)"
  check_stat /var/lib/daig-coordinator/accounts/admin-password daig:daig 600
  grep -q "admin-password" "$log" || fail "the coordinator's output does not say where the admin's password is"
  # what ProtectSystem=strict would refuse: the coordinator wrote nothing but its state and log folders
  written=$(cd "$root" && find opt etc usr -newer tmp/before-start -not -type d 2>/dev/null | head -5)
  [ -z "$written" ] || fail "the coordinator wrote outside /var/lib and /var/log: $written"
  [ -z "$(ls -A "$root/var/log/daig-coordinator")" ] || fail "the coordinator wrote a log file: the journal should get everything"

  # the coordinator's own trainer worker (validation, spot checks): ND4J's natives in a minimal
  # system, before the desktop package brings GTK and its libraries
  as_daig() { in_root setpriv --reuid=daig --regid=daig --init-groups env -i HOME="$home" PATH=/usr/bin:/bin DAIG_DATA_DIR=/var/lib/daig-coordinator "$@"; }
  as_daig /opt/daig-coordinator/bin/daig model make-mlp --inputs 4 --outputs 3 --out /var/lib/daig-coordinator/m.h5 >/dev/null ||
    fail "the coordinator's daig model make-mlp failed"
  inspect=$(as_daig /opt/daig-coordinator/bin/daig model inspect /var/lib/daig-coordinator/m.h5 2>&1) ||
    { echo "$inspect" >&2; fail "a trainer worker of the coordinator's package failed in a minimal Debian"; }
  echo "$inspect" | grep -q 'Total Parameters: *515' || fail "the coordinator's trainer worker read the model wrong: $inspect"
  echo "install-test: a trainer worker of the coordinator's package ran as daig"

  step "apt install ./daig-desktop_*.deb (and GTK)"
  apt_in_root install --no-install-recommends "$(cd "$root" && echo mnt/daig-desktop_*_amd64.deb | sed "s|^|/|")" > "$root/tmp/apt-desktop.out" 2>&1 ||
    { tail -20 "$root/tmp/apt-desktop.out" >&2; fail "apt could not install daig-desktop"; }
  in_root sh -c 'command -v java' >/dev/null && fail "a java came with the dependencies: the next check would prove nothing"
  [ "$(readlink "$root/usr/bin/daig")" = /opt/daig-desktop/bin/daig ] || fail "/usr/bin/daig is not a link to /opt/daig-desktop/bin/daig"
  [ -f "$root/usr/share/applications/daig-desktop.desktop" ] || fail "no menu entry /usr/share/applications/daig-desktop.desktop"
  grep -qx 'Hidden=true' "$root/etc/xdg/autostart/daig-tray.desktop" || fail "the autostart entry is not off by default"

  step "daig as an ordinary user, on the bundled runtime"
  in_root useradd --create-home --shell /bin/sh volunteer
  as_volunteer() { in_root setpriv --reuid=volunteer --regid=volunteer --init-groups env -i HOME=/home/volunteer PATH=/usr/bin:/bin "$@"; }
  help=$(as_volunteer daig --help) || fail "daig --help failed"
  echo "$help" | grep -q '^Usage: daig' || fail "daig --help printed no usage: $help"
  as_volunteer daig model make-mlp --inputs 4 --outputs 3 --out /home/volunteer/m.h5 >/dev/null || fail "daig model make-mlp failed"
  inspect=$(as_volunteer daig model inspect /home/volunteer/m.h5 2>&1) || { echo "$inspect" >&2; fail "daig model inspect (a trainer worker) failed"; }
  echo "$inspect" | grep -q 'Total Parameters: *515' || fail "the trainer worker read the model wrong: $inspect"
  [ -d "$root/home/volunteer/.local/share/daig-desktop" ] || fail "daig did not use the volunteer's own data folder"
  echo "install-test: daig --help and a trainer worker ran as 'volunteer' with no java on the PATH"

  step "apt purge daig-coordinator"
  apt_in_root purge daig-coordinator >/dev/null || fail "apt purge daig-coordinator failed"
  in_root getent passwd daig >/dev/null && fail "the user daig is still there after the purge"
  for d in /opt/daig-coordinator /etc/daig-coordinator /var/lib/daig-coordinator /var/log/daig-coordinator; do
    [ ! -e "$root$d" ] || fail "$d is still there after the purge"
  done
  exit 0
fi

# ---------------------------------------------------------------- outside
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, namespaces); run as root or in CI"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap; ./daig test installs it)"
command -v unshare >/dev/null && command -v curl >/dev/null && command -v ip >/dev/null ||
  skip "unshare (util-linux), curl or ip (iproute2) is missing"
unshare --mount --pid --fork true 2>/dev/null || skip "this machine refuses mount and PID namespaces (a container without the rights)"
compgen -G "$pkgs/daig-coordinator_*_amd64.deb" >/dev/null && compgen -G "$pkgs/daig-desktop_*_amd64.deb" >/dev/null ||
  fail "no daig-coordinator and daig-desktop .deb in $pkgs (releng/packages/packages.sh makes them)"

start=$SECONDS
mkdir -p "$cache"
base=$cache/$suite-minbase.tar
work=$(mktemp -d /var/tmp/daig-deb-test.XXXXXX)
cleanup() {
  # the namespaces took their mounts with them; a mount under $work now would be this script's fault
  if grep -q " $work/" /proc/mounts; then echo "install-test: mounts left under $work" >&2; return; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ ! -f "$base" ]; then
  curl -sf --max-time 20 -o /dev/null "$mirror/dists/$suite/Release" ||
    skip "the Debian mirror $mirror cannot be reached (set DAIG_DEBIAN_MIRROR to another)"
  step "debootstrap --variant=minbase $suite (once; cached in $base)"
  debootstrap --variant=minbase "$suite" "$work/base" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
  tar -C "$work/base" -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$work/base"
  step "debootstrap took $((SECONDS - start)) s"
fi
mkdir "$work/root"
tar -C "$work/root" -xf "$base"
step "a fresh Debian $suite root in $work/root"
rc=0
DAIG_DEB_TEST_CACHE=$cache unshare --mount --pid --fork --propagation private \
  bash "$here/install-test.sh" --inside "$work/root" "$pkgs" || rc=$?
grep -q " $work/" /proc/mounts && fail "mounts were left under $work"
[ $rc -eq 0 ] || exit $rc
echo "install-test: PASSED in $((SECONDS - start)) s"

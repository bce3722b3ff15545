# shellcheck shell=bash
# What ./daig demo and ./daig test need from Debian, in one place. Sourced by ./daig (and through
# it by .ci/run); not run on its own.
#
#   daig_prereqs demo|test
#
# Finds what is missing, prints one line per package group saying what and why, then installs it
# with apt-get (apt-get update once first; through sudo when not root). Prints nothing when
# everything is there. Without root and without sudo it prints the command to run and returns 2.
# DAIG_PREREQS_DRY_RUN=1 prints the same lines and the commands it would run, and changes nothing.

_daig_missing=()   # packages to install
_daig_reasons=()   # one line per package group

_daig_want() { # reason package...
  _daig_reasons+=("$(printf '%-36s %s' "${*:2}" "$1")")
  _daig_missing+=("${@:2}")
}

# The major version of the javac the Maven wrapper would use (JAVA_HOME's, else PATH's); empty if none.
_daig_javac_major() {
  local javac=javac v
  [ -n "${JAVA_HOME:-}" ] && javac=$JAVA_HOME/bin/javac
  v=$("$javac" -version 2>&1 | sed -n 's/^javac \([0-9][0-9.]*\).*/\1/p' | head -n 1) || true
  case $v in
    1.*) v=${v#1.} ;;   # javac 1.8.0_392 is Java 8
  esac
  echo "${v%%.*}"
}

_daig_jdk_ok() {
  local major
  major=$(_daig_javac_major)
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

# Debian's JDK 17 is installed but javac (or JAVA_HOME) points at an older one: use 17 for this run.
_daig_use_debian_jdk17() {
  local home
  for home in /usr/lib/jvm/java-17-openjdk-*; do
    if [ -x "$home/bin/javac" ]; then
      export JAVA_HOME=$home PATH=$home/bin:$PATH
      echo "daig: using the JDK 17 in $home (javac on the PATH or in JAVA_HOME is missing or older)"
      return 0
    fi
  done
  return 1
}

_daig_have_lib() { # soname: is a shared library of that name in the usual places?
  local f
  for f in /usr/lib/*/"$1" /usr/lib/"$1" /lib/*/"$1" /lib/"$1"; do
    [ -e "$f" ] && return 0
  done
  return 1
}

daig_prereqs() { # demo|test
  _daig_missing=()
  _daig_reasons=()
  if ! _daig_jdk_ok && ! _daig_use_debian_jdk17; then
    _daig_want "JDK 17 to build DAIG (javac $(_daig_javac_major | sed 's/^$/not found/;s/^[0-9]/is &/'))" openjdk-17-jdk-headless
  fi
  case $1 in
    test)
      { [ -x /usr/sbin/mosquitto ] && [ -x /usr/bin/mosquitto_passwd ]; } ||
        _daig_want "tests run a real external MQTT broker (mosquitto, mosquitto_passwd)" mosquitto
      compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null ||
        _daig_want "the coordinator's store tests run on a real PostgreSQL too (a throw-away cluster of their own)" postgresql
      [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] ||
        _daig_want "the grid is tested on a two-node RabbitMQ cluster (MQTT plugin) that the tests start themselves" rabbitmq-server
      { [ -x /usr/sbin/ip ] && [ -x /usr/sbin/tc ] && command -v ss >/dev/null 2>&1; } ||
        _daig_want "the multi-host test puts each server on its own network namespace, providers behind tc-limited links; ss reads listen queues" iproute2
      command -v curl >/dev/null 2>&1 || _daig_want "the Maven wrapper fetches Maven with it; releng scripts read the coordinator" curl
      command -v unzip >/dev/null 2>&1 || _daig_want "the Maven wrapper unpacks Maven with it" unzip
      [ -x /bin/kill ] || [ -x /usr/bin/kill ] || _daig_want "workers are paused and resumed with kill -STOP/-CONT" procps
      command -v debootstrap >/dev/null 2>&1 ||
        _daig_want "the Debian packages' install test builds a fresh Debian root (no Java in it) to install them in" debootstrap
      [ -x /usr/bin/bwrap ] || _daig_want "workers that read strangers' files run in a sandbox without network (tests check it)" bubblewrap
      [ -x /usr/bin/dbus-daemon ] ||
        _daig_want "the Wayland idle-time tests run private D-Bus daemons (a session bus and a stand-in system bus)" dbus-daemon
      [ -x /usr/bin/mutter ] ||
        _daig_want "the idle-time test asks GNOME's real compositor, run headless on a private bus (no GPU, no screen)" mutter
      [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] ||
        _daig_want "the web console is tested in a real browser: headless chromium driven through chromedriver" chromium chromium-driver
      local x=()
      command -v Xvfb >/dev/null 2>&1 || x+=(xvfb)
      command -v xauth >/dev/null 2>&1 || x+=(xauth)
      [ ${#x[@]} -eq 0 ] || _daig_want "the build draws the UI tests on its own virtual X server" "${x[@]}"
      command -v trayer >/dev/null 2>&1 ||
        _daig_want "the tray icon is tested in a real system tray (trayer's XEmbed tray) on that X server" trayer
      command -v xwininfo >/dev/null 2>&1 || _daig_want "the tray test finds the icon's window in the tray with xwininfo" x11-utils
      _daig_have_lib libgtk-3.so.0 || _daig_want "SWT (the tray and workbench tests) draws with GTK 3" libgtk-3-0
      [ -d /usr/share/datasets/fashion-mnist ] ||
        _daig_want "the Keras 3 grid test trains a Fashion-MNIST CNN (and the byzantine bench uses the images)" dataset-fashion-mnist
      ;;
    demo)
      [ -d /usr/share/datasets/fashion-mnist ] || _daig_want "the demo trains on Debian's Fashion-MNIST" dataset-fashion-mnist
      ;;
    *) echo "daig_prereqs: demo or test, not '$1'" >&2; return 2 ;;
  esac
  [ ${#_daig_missing[@]} -eq 0 ] && return 0

  local sudo= line dry=${DAIG_PREREQS_DRY_RUN:-}
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=sudo
    elif [ -z "$dry" ]; then
      echo "daig: missing Debian packages:" >&2
      for line in "${_daig_reasons[@]}"; do echo "  $line" >&2; done
      echo "daig: this needs root (and there is no sudo). As root, run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${_daig_missing[*]}" >&2
      case " ${_daig_missing[*]} " in
        *" mosquitto "*) echo "  systemctl disable --now mosquitto   # DAIG's tests and demo need port 1883 free" >&2 ;;
      esac
      case " ${_daig_missing[*]} " in
        *" rabbitmq-server "*) echo "  systemctl disable --now rabbitmq-server   # the tests start nodes of their own" >&2 ;;
      esac
      echo "then run ./daig $1 again." >&2
      return 2
    fi
  fi
  echo "daig: ${dry:+(dry run) would be }installing what ./daig $1 needs from Debian${sudo:+ (through sudo)}:"
  for line in "${_daig_reasons[@]}"; do echo "  $line"; done
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${_daig_missing[@]}")
  if [ -n "$dry" ]; then
    echo "daig: (dry run) would run: ${sudo:+$sudo }apt-get update -qq && ${sudo:+$sudo }${install[*]}"
    return 0
  fi
  $sudo apt-get update -qq || return $?
  local policy=/usr/sbin/policy-rc.d saved= rc=0
  case " ${_daig_missing[*]} " in
    *" mosquitto "* | *" postgresql "* | *" rabbitmq-server "*)
      # policy-rc.d answering 101 keeps the mosquitto package from starting a system broker on
      # port 1883 (which the tests and the demo need), postgresql its system cluster and
      # rabbitmq-server its system node (the tests start their own); an existing policy is put
      # back afterwards.
      if [ -e $policy ]; then saved=$policy.daig-saved; $sudo mv $policy $saved || return $?; fi
      $sudo sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy" || return $?
      ;;
    *) policy= ;;
  esac
  $sudo "${install[@]}" || rc=$?
  if [ -n "$policy" ]; then
    $sudo rm -f $policy
    [ -z "$saved" ] || $sudo mv $saved $policy
  fi
  [ $rc -eq 0 ] || return $rc
  _daig_jdk_ok || _daig_use_debian_jdk17 || true
}

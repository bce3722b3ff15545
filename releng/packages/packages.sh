#!/usr/bin/env bash
# Debian packages of both products, each with its own Java runtime (docs/operations.md, "Installing
# from the Debian package"; docs/desktop.md). Run by the build (product/pom.xml, after the products
# are materialized) or by hand:
#
#   releng/packages/packages.sh PRODUCTS OUT VERSION [QUALIFIER]
#       PRODUCTS: product/target/products; OUT: where runtime/ and the .debs go; VERSION: 0.1.0;
#       QUALIFIER: the build's (Tycho's v20261203-0727): a snapshot, 0.1.0~20261203.0727, which
#       sorts before 0.1.0 and after an older snapshot
#   releng/packages/packages.sh --jdeps PRODUCTS       the modules jdeps finds in the products' jars
#
# The runtime: jlink with the modules listed in runtime-modules (beside this script). The packages:
# dpkg-deb from the linux-x86_64 products as materialized, laid out as below; nothing else is built.
#   daig-coordinator: /opt/daig-coordinator (product + runtime), /etc/daig-coordinator (conffiles),
#                     /var/lib/daig-coordinator (state, user daig), systemd unit, logs to the journal
#   daig-desktop:     /opt/daig-desktop (product + runtime), /etc/daig-desktop (each user's first
#                     configuration), menu entries, an autostart entry (off), /usr/bin/daig*
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
env_dir=linux/gtk/x86_64

die() { echo "packages.sh: $*" >&2; exit 1; }

java_home() { # the JDK whose jlink and jmods make the runtime: JAVA_HOME's, else the one javac is in
  local home=${JAVA_HOME:-}
  [ -n "$home" ] || home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  [ -d "$home/jmods" ] || die "no jmods in $home: jlink needs a full JDK (Debian: openjdk-17-jdk-headless)"
  echo "$home"
}

modules() { sed 's/#.*//' "$here/runtime-modules" | tr -s ' \t' '\n' | sed '/^$/d' | paste -sd, -; }

if [ "${1:-}" = --jdeps ]; then
  [ $# -eq 2 ] || die "usage: packages.sh --jdeps PRODUCTS"
  jars=()
  for p in daig-coordinator daig-desktop; do
    jars+=("$2/$p/$env_dir/$p"/plugins/*.jar "$2/$p/$env_dir/$p"/worker/lib/*.jar "$2/$p/$env_dir/$p"/cli/*.jar)
  done
  # jdeps refuses some of DL4J's jars for their module-info (a package it names is missing): look
  # at every jar's classes without it, all at once
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  i=0
  for jar in "${jars[@]}"; do
    i=$((i + 1))
    unzip -q -o "$jar" '*.class' -x 'module-info.class' 'META-INF/versions/*/module-info.class' -d "$tmp/$i" 2>/dev/null || true
  done
  "$(java_home)/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$tmp"/*
  exit 0
fi
[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: packages.sh PRODUCTS OUT VERSION [QUALIFIER] (or --jdeps PRODUCTS)"
products=$1 out=$2 version=$3
qualifier=$(printf '%s' "${4:-}" | sed 's/^v//; s/-/./g; s/[^0-9A-Za-z.+]//g')
[ -z "$qualifier" ] || version="$version~$qualifier"
case $version in [0-9]*) ;; *) die "VERSION '$version' must start with a digit (Debian policy)" ;; esac
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian: apt-get install dpkg)"
for p in daig-coordinator daig-desktop; do
  [ -x "$products/$p/$env_dir/$p/bin/$p" ] || [ -x "$products/$p/$env_dir/$p/bin/daig-provider" ] ||
    die "the $p product is not materialized under $products/$p/$env_dir/$p"
done

rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
jdk=$(java_home)
# --strip-debug and no headers/man pages: a runtime to run, not to develop with. Not compressed
# here: xz compresses the .deb better than it compresses jlink's already zipped modules.
"$jdk/bin/jlink" --add-modules "$(modules)" --strip-debug --no-header-files --no-man-pages \
  --output "$out/runtime"
echo "packages.sh: runtime of $(modules | tr ',' '\n' | wc -l) modules, $(du -sh "$out/runtime" | cut -f1), in $(($(date +%s) - start)) s"

# stage PACKAGE: a copy of the product under opt/, its runtime, its config moved to etc/
stage() {
  local p=$1 root=$out/stage/$1
  mkdir -p "$root/opt" "$root/etc" "$root/DEBIAN"
  cp -a "$products/$p/$env_dir/$p" "$root/opt/$p"
  rm -rf "$root/opt/$p/data" "$root/opt/$p/logs"
  rm -f "$root/opt/$p"/bin/*.cmd # Windows' scripts
  cp -a "$out/runtime" "$root/opt/$p/runtime"
  mv "$root/opt/$p/config" "$root/etc/$p"
  ln -s "/etc/$p" "$root/opt/$p/config" # the product's own config/ is the system's
  find "$root/etc/$p" -type f -printf "/etc/$p/%P\n" | sort > "$root/DEBIAN/conffiles"
}

# control PACKAGE DESCRIPTION-LINE DEPENDS [RECOMMENDS]: DEBIAN/control, from the staged tree
control() {
  local p=$1 root=$out/stage/$1
  {
    echo "Package: $p"
    echo "Version: $version"
    echo "Architecture: amd64"
    echo "Maintainer: DAIG developers <daig@localhost>"
    echo "Section: science"
    echo "Priority: optional"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
    echo "Depends: $3"
    [ -z "${4:-}" ] || echo "Recommends: $4"
    echo "Description: $2"
    sed 's/^/ /' "$here/$5"
  } > "$root/DEBIAN/control"
}

build() { # PACKAGE: the .deb, owned by root whatever the builder's user
  local p=$1 root=$out/stage/$1 t
  t=$(date +%s)
  find "$root/DEBIAN" -type f -exec chmod 0644 {} +
  for s in preinst postinst prerm postrm; do [ ! -f "$root/DEBIAN/$s" ] || chmod 0755 "$root/DEBIAN/$s"; done
  # zstd: most of a product is jars, already compressed; xz (dpkg's default) made the .deb 3 % smaller
  # in 85 s per package, zstd -9 in 3 s (docs/measurements.md). dpkg reads zstd from 1.21.18 on
  # (Debian 12, Ubuntu 22.04).
  dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$out/${p}_${version}_amd64.deb" >/dev/null
  echo "packages.sh: $p: $(du -h "$out/${p}_${version}_amd64.deb" | cut -f1) .deb, $(du -sh --exclude=DEBIAN "$root" | cut -f1) installed, in $(($(date +%s) - t)) s"
}

# --- daig-coordinator ---
p=daig-coordinator root=$out/stage/$p
stage $p
cp "$here/coordinator/logback.xml" "$root/etc/$p/logback.xml" # to stdout, for the journal
install -D -m 0644 "$here/coordinator/daig-coordinator.service" "$root/lib/systemd/system/daig-coordinator.service"
install -D -m 0644 "$here/coordinator/default" "$root/etc/default/daig-coordinator"
echo /etc/default/daig-coordinator >> "$root/DEBIAN/conffiles"
cp "$here/coordinator/postinst" "$here/coordinator/prerm" "$here/coordinator/postrm" "$root/DEBIAN/"
# postinst makes the user with useradd (passwd), not adduser (not in a minimal system)
control $p "DAIG coordinator: the Distributed A.I. Grid's server, with its own Java runtime" \
  "passwd, libc6" "bubblewrap" coordinator/description
build $p

# --- daig-desktop ---
p=daig-desktop root=$out/stage/$p
stage $p
install -D -m 0644 "$here/desktop/daig-env.sh" "$root/opt/$p/etc/daig-env.sh"
install -D -m 0644 "$here/desktop/daig-desktop.desktop" "$root/usr/share/applications/daig-desktop.desktop"
install -D -m 0644 "$here/desktop/daig-workbench.desktop" "$root/usr/share/applications/daig-workbench.desktop"
install -D -m 0644 "$here/desktop/daig-tray-autostart.desktop" "$root/etc/xdg/autostart/daig-tray.desktop"
echo /etc/xdg/autostart/daig-tray.desktop >> "$root/DEBIAN/conffiles"
mkdir -p "$root/usr/bin" "$root/usr/share/bash-completion/completions"
for b in daig daig-desktop daig-provider; do ln -s "/opt/$p/bin/$b" "$root/usr/bin/$b"; done
ln -s "/opt/$p/etc/bash_completion.d/daig" "$root/usr/share/bash-completion/completions/daig"
# SWT draws with GTK 3 (t64: the name from Debian 13 and Ubuntu 24.04 on)
control $p "DAIG desktop: the Distributed A.I. Grid's volunteer provider, tray and workbench" \
  "libgtk-3-0 | libgtk-3-0t64, libc6" "bubblewrap" desktop/description
build $p
rm -rf "$out/stage"
echo "packages.sh: both packages in $out, $(($(date +%s) - start)) s in all"

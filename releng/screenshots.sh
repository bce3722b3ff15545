#!/bin/sh
# Copies the screenshots the UI tests took (./mvnw -B verify, under Xvfb) into docs/images, where
# docs/desktop.md and the README show them. Look at them before committing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shots=$root/tests/org.daig.itests/target/screenshots
[ -d "$shots" ] || { echo "no screenshots under $shots: run ./mvnw -B verify first" >&2; exit 1; }
mkdir -p "$root/docs/images"
cp "$shots"/*.png "$root/docs/images/"
# the web console's pages, taken by ConsoleBrowserTest in headless chromium
console=$root/tests/org.daig.product.tests/target/screenshots
[ ! -d "$console" ] || cp "$console"/console-*.png "$root/docs/images/"
ls -l "$root/docs/images"

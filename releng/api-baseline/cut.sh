#!/bin/sh
# Re-cuts the API baseline (docs/development.md, "Build gates"): the org.daig.api jar built from
# the current sources becomes releng/api-baseline/org.daig.api-1.0.0.jar, which the bnd baseline
# check compares every later build with. Run it when a release is made, never to silence the check.
# Its Bundle-Version is set to 0.0.0 so that bnd's bundle-version rule accepts 0.1.x bundles with
# compatible (minor) API additions; package versions are what the check is about.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -B -q package -Dcheckstyle.skip -DskipTests -pl target-platform,bundles/org.daig.api
python3 - "$root/bundles/org.daig.api/target/org.daig.api-0.1.0-SNAPSHOT.jar" "$root/releng/api-baseline/org.daig.api-1.0.0.jar" <<'PY'
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "META-INF/MANIFEST.MF":
            data = re.sub(rb"Bundle-Version: [^\r\n]+", b"Bundle-Version: 0.0.0", data)
        info = zipfile.ZipInfo(item.filename, date_time=(2026, 12, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zout.writestr(info, data)
PY
echo "baseline: releng/api-baseline/org.daig.api-1.0.0.jar"

#!/usr/bin/env bash
# Renders the diagrams kept as text under docs/diagrams/ into docs/images/ (Graphviz's dot).
#   releng/diagrams.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "diagrams: Graphviz is missing: sudo apt-get install graphviz" >&2; exit 2; }
for source in docs/diagrams/*.dot; do
  target=docs/images/$(basename "${source%.dot}").svg
  dot -Tsvg "$source" -o "$target"
  echo "wrote $target"
done

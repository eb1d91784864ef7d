#!/usr/bin/env bash
# Checks every raw source in datasets/sources/ against the sha256 of its original that
# datasets/sources/README.md lists, so a changed or truncated file is caught. No arguments.
set -euo pipefail
cd "$(dirname "$0")/../datasets/sources"
checked=0
failed=0
while IFS= read -r line; do
  file=$(sed -E 's/^\| `([^`]+)`.*/\1/' <<<"$line")
  want=$(grep -oE '`[0-9a-f]{64}`' <<<"$line" | tr -d '`')
  have=$(gzip -dc "$file" | sha256sum | cut -c1-64)
  if [ "$have" = "$want" ]; then
    echo "ok      $file"
  else
    echo "CHANGED $file: sha256 $have, README says $want" >&2
    failed=$((failed + 1))
  fi
  checked=$((checked + 1))
done < <(grep -E '^\| `[^`]+\.gz`' README.md)
[ "$checked" -gt 0 ] || { echo "no sources listed in datasets/sources/README.md" >&2; exit 1; }
echo "$checked sources checked, $failed changed"
[ "$failed" -eq 0 ]

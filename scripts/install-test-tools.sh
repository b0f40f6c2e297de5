#!/usr/bin/env bash
# Installs the Debian tools the test suite drives, when they are missing:
#   sqlfluff  parses the Redshift SQL with its Redshift grammar
#   chromium  opens the analytics report in the browser test (playwright-core drives it)
# Needs root (CI runs as root); elsewhere install the same packages with sudo apt-get.
set -euo pipefail
missing=()
command -v sqlfluff >/dev/null || missing+=(sqlfluff)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing test tools: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2

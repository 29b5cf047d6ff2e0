#!/usr/bin/env bash
# Runs a command while `npm run calibrate` holds its next trial, so the two do not disturb each other:
#   bash bench/quiet.sh npm test
pause="${TMPDIR:-/tmp}/http-load-check-calibrate.pause"
touch "$pause"
trap 'rm -f "$pause"' EXIT
if pgrep -f bench/calibrate >/dev/null; then
  while [ ! -e "$pause.held" ] && pgrep -f bench/calibrate >/dev/null; do sleep 0.5; done
fi
"$@"

#!/bin/sh
# shot.sh PAGE.html OUT.png [WIDTH,HEIGHT]: a screenshot of a local page in headless Chromium that
# sees no CJK font (fontconfig limited to DejaVu, fonts-nocjk.conf) and makes no network requests
# of its own. What the report pages look like on a machine with no Chinese fonts installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
page=$(realpath "$1"); out=$(realpath -m "$2"); size=${3:-1200,1600}
profile=$(mktemp -d)
FONTCONFIG_FILE="$here/fonts-nocjk.conf" chromium --headless --no-sandbox --disable-gpu \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --disable-quic --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$size" --screenshot="$out" "file://$page" 2>"$profile.log" >/dev/null || { cat "$profile.log" >&2; exit 1; }
rm -rf "$profile" "$profile.log"
echo "$out"

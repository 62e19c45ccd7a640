#!/usr/bin/env bash
# Build the one-folder bundle (packaging/pyinstaller/deepworkzone.spec) and check it starts:
# `--version`, the window (offscreen) for a few seconds, the agent (`run`) for a few seconds,
# each ended with SIGTERM and expected to exit cleanly.
#
#   packaging/build-bundle.sh [OUT]      -> OUT/dist/deepworkzone/deepworkzone (default: build/bundle)
#   SKIP_BUILD=1 packaging/build-bundle.sh OUT    only the checks
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build/bundle}")
bundle="$out/dist/deepworkzone"
if [ -z "${SKIP_BUILD:-}" ]; then
  command -v pyinstaller >/dev/null || python3 -m pip install -q 'pyinstaller>=6.5'
  start=$(date +%s)
  rm -rf "$out"
  mkdir -p "$out"
  PYTHONPATH="$PWD/src" pyinstaller --noconfirm --log-level WARN --distpath "$out/dist" \
    --workpath "$out/work" packaging/pyinstaller/deepworkzone.spec >"$out/build.log" 2>&1 \
    || { tail -40 "$out/build.log"; exit 1; }
  echo "bundle built in $(( $(date +%s) - start )) s: $(du -sh "$bundle" | cut -f1) in $bundle"
fi

exe="$bundle/deepworkzone"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
run_env=(env -u PYTHONPATH -u PYTHONHOME DEEPWORKZONE_HOME="$home" DEEPWORKZONE_SECRETS=file
  DEEPWORKZONE_SYSTEM_PROXY=off DEEPWORKZONE_BROWSER_POLICIES=off DEEPWORKZONE_CLOSE_CONNECTIONS=off
  DEEPWORKZONE_NETWORK_NUDGE=off XDG_CONFIG_HOME="$home/xdg")

version=$("${run_env[@]}" "$exe" --version)
expected=$(PYTHONPATH="$PWD/src" python3 -c 'import deepworkzone; print(deepworkzone.__version__)')
[ "$version" = "deepworkzone $expected" ] || { echo "bundle --version: '$version'"; exit 1; }
echo "ok --version: $version"

# Runs "$@" for a few seconds: it must still be running, then exit 0 on SIGTERM.
starts_and_stops() {
  local name=$1; shift
  "${run_env[@]}" "$@" >"$home/$name.log" 2>&1 &
  local pid=$!
  sleep "${SMOKE_SECONDS:-5}"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || true
    echo "bundle $name exited early:"; cat "$home/$name.log"; exit 1
  fi
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ] || grep -q -e Traceback -e "cannot open the window" "$home/$name.log"; then
    echo "bundle $name: exit $rc"; cat "$home/$name.log"; exit 1
  fi
  echo "ok $name: ran ${SMOKE_SECONDS:-5} s, clean exit on SIGTERM"
}
starts_and_stops window env QT_QPA_PLATFORM=offscreen "$exe"
starts_and_stops agent "$exe" run
grep -q "agent started" "$home/agent.log" || { cat "$home/agent.log"; exit 1; }

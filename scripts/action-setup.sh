#!/usr/bin/env bash
# Set-up of the Meta-Controller Action, run by action.yml in the action's own
# folder. It leaves the user's job as it found it: no Node put on PATH for
# later steps, nothing installed outside the action's folder and the npm cache.
#
# Node: the runner's own when it is 20.18 or newer; otherwise Node 24 is
# downloaded into a folder of the action's (cached by the workflow) and used
# by the action's steps only, by full path.
#
# Dependencies: a release tag carries the built dist/, so only production
# dependencies are installed, without install scripts (nothing to build; the
# CPU build of onnxruntime-node ships in its package). A branch without dist/
# installs everything and builds it (`prepare`).
#
# Writes `node=<path>` and `mode=<release|source>` to $GITHUB_OUTPUT (stdout
# when unset). `--dry-run` prints the decisions and changes nothing.
set -euo pipefail

dry_run=false
[ "${1:-}" = "--dry-run" ] && dry_run=true
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
node_version="${META_CONTROLLER_NODE_VERSION:-24.11.1}"
private_node="${RUNNER_TEMP:-/tmp}/meta-controller-node-${node_version}"
out="${GITHUB_OUTPUT:-/dev/stdout}"

# True when "v<major>.<minor>.<patch>" is at least 20.18.
node_is_recent() {
  local version="${1#v}" major minor
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 18 ]; }
}

node_bin=""
if command -v node >/dev/null 2>&1 && node_is_recent "$(node --version 2>/dev/null || echo none)"; then
  node_bin="$(command -v node)"
  echo "Node: the runner's $(node --version) at $node_bin"
elif [ -x "$private_node/bin/node" ]; then
  node_bin="$private_node/bin/node"
  echo "Node: cached $node_version at $node_bin (the runner's is missing or older than 20.18)"
else
  node_bin="$private_node/bin/node"
  echo "Node: downloading $node_version into $private_node (the runner's is missing or older than 20.18); later steps keep the runner's"
  if [ "$dry_run" = false ]; then
    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac
    os="$(uname -s | tr '[:upper:]' '[:lower:]')"
    mkdir -p "$private_node"
    curl -fsSL "https://nodejs.org/dist/v${node_version}/node-v${node_version}-${os}-${arch}.tar.gz" |
      tar -xz -C "$private_node" --strip-components=1
  fi
fi

if [ -f "$action_path/dist/action/index.js" ]; then
  mode=release
  install=(ci --omit=dev --ignore-scripts --no-audit --no-fund)
  echo "Dependencies: production only, from the release's built dist/"
else
  mode=source
  install=(ci --no-audit --no-fund)
  echo "Dependencies: all, and dist/ built from the sources (no built dist/ on this ref)"
fi

if [ "$dry_run" = false ]; then
  npm_cli="$(dirname "$node_bin")/npm"
  [ -x "$npm_cli" ] || npm_cli="$(command -v npm)"
  # npm runs under the chosen Node: its own folder first, for this command only.
  (cd "$action_path" && PATH="$(dirname "$node_bin"):$PATH" ONNXRUNTIME_NODE_INSTALL=skip "$npm_cli" "${install[@]}")
fi

{
  echo "node=$node_bin"
  echo "mode=$mode"
} >>"$out"

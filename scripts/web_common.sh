# Sourced by scripts/install-deps and scripts/build-web: can this machine install and
# build the viewer (web/)? Vite 8 and playwright-core need Node.js >= 20.19; Debian 12's
# own nodejs is 18, so CI and developers use NodeSource's nodejs 20 (which brings npm).
WEB_NODE_MIN=20.19

# Prints why not and returns 1 when node/npm are missing or too old.
web_node_usable() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "node/npm not found: the viewer (web/) needs Node.js >= $WEB_NODE_MIN with npm" \
         "(Debian 12: NodeSource's nodejs 20 package)"
    return 1
  fi
  local version
  version=$(node -p 'process.versions.node')
  if ! node -e "const [a,b]=process.versions.node.split('.').map(Number),[x,y]='$WEB_NODE_MIN'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)"; then
    echo "node $version is too old: the viewer (web/) needs Node.js >= $WEB_NODE_MIN"
    return 1
  fi
}

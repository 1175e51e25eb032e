# Shared set-up for scripts/demo.sh and scripts/test.sh: makes sure the toolchain and the
# system libraries rappi links (libsqlite3, libreadline, libcurl, libzmq) are present.
# Installs missing Debian packages when run as root; otherwise says what to install.

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "rappi needs Swift 6 on PATH (expected at /opt/swift)" >&2; exit 1; }

# ensure_packages PKG… — installs the Debian packages that are missing.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing system packages: ${missing[*]} — run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

RAPPI_SYSTEM_PACKAGES=(libsqlite3-dev libreadline-dev libcurl4-openssl-dev libzmq3-dev)

#!/usr/bin/env bash
# Installs what arpkit's tests need on a fresh Debian machine, then the npm dependencies (which also builds).
# Peer tools: iproute2 (ip, bridge), ping, tcpdump, arping, trafgen (netsniff-ng), tshark, sysctl (procps), setpriv (util-linux);
# fake for its send_arp, the classic per-MAC recipe that bench/announce measures arpkit against;
# arpwatch, whose arp.dat `arpkit db import-arpwatch` reads (its postinst only enables a service,
# which a container without systemd never starts). python3, make and g++: node-gyp builds
# better-sqlite3 from source against Node's own headers (its prebuilt download is out of reach).
# time: GNU time, for bench/analyze's peak resident memory of a whole `arpkit analyze`.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(iproute2 iputils-ping tcpdump arping netsniff-ng tshark procps util-linux fake arpwatch
  python3 make g++ time chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci

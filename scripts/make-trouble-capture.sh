#!/usr/bin/env bash
# Re-creates examples/trouble.pcapng: a real capture, made with real tools inside throwaway
# network namespaces (nothing touches this machine's interfaces), of ARP trouble on one switch
# (a Linux bridge, captured on the bridge itself): two hosts configured with the same IP, an
# RFC 5227 probe meeting the owner (arping -D), a VIP taken over and given back (arping -U), a
# host asked for that is not there and asked again later, and a short ARP flood from one sender
# (trafgen). `arpkit analyze examples/trouble.pcapng` names each. Needs root, iproute2, dumpcap
# (tshark), arping (Thomas Habets' arping, Debian's `arping` package), trafgen.
# With ARPKIT_MONITOR_LOG=FILE, `arpkit monitor -i br0 ARPKIT_MONITOR_ARGS` watches the same
# bridge live meanwhile, and what it prints (stdout and stderr) goes to FILE.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/examples/trouble.pcapng"
id="aktr$$"
sw="$id-sw" a="$id-a" b="$id-b" client="$id-cl"
work=$(mktemp -d)
cleanup() {
  for ns in "$sw" "$a" "$b" "$client"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$sw" "$a" "$b" "$client"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$sw" link add br0 type bridge stp_state 0
i=0
for ns in "$a" "$b" "$client"; do
  i=$((i + 1))
  ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns"
  ip -n "$sw" link set "p$i" master br0 up
  ip -n "$ns" link set eth0 address "02:00:00:00:00:0$i"
  ip -n "$ns" link set eth0 up
done
ip -n "$sw" link set br0 up
ip -n "$a" addr add 192.0.2.10/24 dev eth0
ip -n "$b" addr add 192.0.2.11/24 dev eth0
ip -n "$client" addr add 192.0.2.20/24 dev eth0
# Every host answers only for its own addresses on its own interface, as servers are set up.
for ns in "$a" "$b" "$client"; do ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1; done

ip netns exec "$sw" timeout 60 dumpcap -q -i br0 -f "arp" -w "$work/cap.pcapng" 2>"$work/dumpcap.log" &
cap=$!
for _ in $(seq 50); do grep -q "Capturing on" "$work/dumpcap.log" 2>/dev/null && break; sleep 0.1; done
if [ -n "${ARPKIT_MONITOR_LOG:-}" ]; then
  # shellcheck disable=SC2086 # the arguments are words on purpose
  ip netns exec "$sw" timeout 60 "$root/bin/arpkit" monitor -i br0 ${ARPKIT_MONITOR_ARGS:-} >"$ARPKIT_MONITOR_LOG" 2>&1 &
  monitor=$!
  for _ in $(seq 50); do grep -q "listening on" "$ARPKIT_MONITOR_LOG" 2>/dev/null && break; sleep 0.1; done
fi
sleep 0.3

arping() { local ns=$1; shift; ip netns exec "$ns" arping -q -i eth0 "$@" || true; }
arping "$client" -c 1 -w 1 192.0.2.10                                 # resolution, answered
arping "$b" -c 1 -w 1 192.0.2.20                                      # b meets the client
ip -n "$b" addr add 192.0.2.10/24 dev eth0                            # b misconfigured with a's IP
arping "$client" -c 2 -w 2 192.0.2.10                                 # both answer: a conflict
ip -n "$b" addr del 192.0.2.10/24 dev eth0
arping "$client" -c 1 -w 1 -S 0.0.0.0 192.0.2.11                      # a probe meets the owner
ip -n "$a" addr add 192.0.2.100/24 dev eth0                           # a holds the VIP
arping "$a" -U -c 1 -S 192.0.2.100 192.0.2.100
sleep 5
ip -n "$a" addr del 192.0.2.100/24 dev eth0                           # failover to b
ip -n "$b" addr add 192.0.2.100/24 dev eth0
arping "$b" -U -c 1 -S 192.0.2.100 192.0.2.100
sleep 6                                                               # later than conflict-window
ip -n "$b" addr del 192.0.2.100/24 dev eth0                           # and back to a
ip -n "$a" addr add 192.0.2.100/24 dev eth0
arping "$a" -U -c 1 -S 192.0.2.100 192.0.2.100
arping "$client" -c 2 -w 2 192.0.2.77                                 # nobody there
sleep 3
arping "$client" -c 1 -w 1 192.0.2.77                                 # asked again: a retry gap
# 3,000 copies of one who-has from one sender, 200 µs apart (a looping frame): a storm.
cat > "$work/flood.trafgen" <<'CONF'
{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x02,0x00,0x00,0x00,0x00,0x02, 0x08,0x06,
  0x00,0x01, 0x08,0x00, 0x06, 0x04, 0x00,0x01,
  0x02,0x00,0x00,0x00,0x00,0x02, 192,0,2,11, 0,0,0,0,0,0, 192,0,2,99,
  fill(0x00, 18) }
CONF
ip netns exec "$b" trafgen --dev eth0 --conf "$work/flood.trafgen" --num 3000 --cpus 1 --gap 200us >/dev/null 2>&1
sleep 2
arping "$client" -c 1 -w 1 192.0.2.10                                 # quiet again
sleep 0.3
kill -INT "$cap"; wait "$cap" || true
if [ -n "${monitor:-}" ]; then kill -INT "$monitor"; wait "$monitor" || true; fi
cp "$work/cap.pcapng" "$out"
echo "wrote $out"

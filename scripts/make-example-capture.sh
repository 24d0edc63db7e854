#!/usr/bin/env bash
# Re-creates examples/failover.pcapng: a real capture, made with real tools inside throwaway
# network namespaces (nothing touches this machine's interfaces), of what a failover looks
# like on a switch port: ARP resolution, a VIP taken over and announced (arping -U, -U -P),
# a probe, send_arp-style learn frames and a RARP for guest MACs (trafgen), VLAN-tagged ARP and
# IPv6 Neighbor Discovery. Needs root, iproute2, dumpcap (tshark), arping, trafgen, ping.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/examples/failover.pcapng"
id="akex$$"
sw="$id-sw" host="$id-host" client="$id-cl"
work=$(mktemp -d)
cleanup() {
  for ns in "$sw" "$host" "$client"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$sw" "$host" "$client"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$sw" link add br0 type bridge stp_state 0
ip -n "$sw" link add p-host type veth peer name eth0 netns "$host"
ip -n "$sw" link add p-cl type veth peer name eth0 netns "$client"
ip -n "$host" link set eth0 address 02:00:00:00:0a:01
ip -n "$client" link set eth0 address 02:00:00:00:0c:01
for p in p-host p-cl; do ip -n "$sw" link set "$p" master br0 up; done
ip -n "$sw" link set br0 up
ip -n "$host" addr add 192.0.2.10/24 dev eth0
ip -n "$client" addr add 192.0.2.20/24 dev eth0
ip -n "$host" addr add 2001:db8::10/64 dev eth0 nodad
ip -n "$client" addr add 2001:db8::20/64 dev eth0 nodad
for ns in "$host" "$client"; do ip -n "$ns" link set eth0 up; done

ip netns exec "$client" timeout 30 dumpcap -q -i eth0 -w "$work/cap.pcapng" 2>"$work/dumpcap.log" &
cap=$!
for _ in $(seq 50); do grep -q "Capturing on" "$work/dumpcap.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.3

ip netns exec "$client" ping -c 1 -W 1 192.0.2.10 >/dev/null                   # request + reply
ip netns exec "$client" arping -q -c 1 -w 1 -S 0.0.0.0 -i eth0 192.0.2.77 || true  # probe, unanswered
ip -n "$host" addr add 192.0.2.100/24 dev eth0                                 # VIP taken over
ip netns exec "$host" arping -q -U -c 2 -W 1.1 -S 192.0.2.100 -i eth0 192.0.2.100 || true
ip netns exec "$host" arping -q -U -P -c 1 -S 192.0.2.100 -i eth0 192.0.2.100 || true
# send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff eth0, for a guest MAC; then a QEMU-style RARP.
cat > "$work/guests.trafgen" <<'CONF'
{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x52,0x54,0x00,0xaa,0xbb,0x01, 0x08,0x06,
  0x00,0x01, 0x08,0x00, 0x06, 0x04, 0x00,0x01,
  0x52,0x54,0x00,0xaa,0xbb,0x01, 0,0,0,0, 0xff,0xff,0xff,0xff,0xff,0xff, 0,0,0,0,
  fill(0x00, 18) }
{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x52,0x54,0x00,0xaa,0xbb,0x02, 0x80,0x35,
  0x00,0x01, 0x08,0x00, 0x06, 0x04, 0x00,0x03,
  0x52,0x54,0x00,0xaa,0xbb,0x02, 0,0,0,0, 0x52,0x54,0x00,0xaa,0xbb,0x02, 0,0,0,0,
  fill(0x00, 18) }
CONF
ip netns exec "$host" trafgen --dev eth0 --conf "$work/guests.trafgen" --num 2 --cpus 1 --qdisc-path >/dev/null 2>&1 \
  || ip netns exec "$host" trafgen --dev eth0 --conf "$work/guests.trafgen" --num 2 --cpus 1 >/dev/null 2>&1
ip netns exec "$host" arping -q -c 1 -w 1 -V 100 -S 198.51.100.10 -i eth0 198.51.100.20 || true  # tagged
ip netns exec "$client" ping -6 -c 1 -W 1 2001:db8::10 >/dev/null              # NS + NA
sleep 0.3
kill -INT "$cap"; wait "$cap" || true
cp "$work/cap.pcapng" "$out"
echo "wrote $out"

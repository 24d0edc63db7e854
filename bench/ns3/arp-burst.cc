/*
 * arp-burst.cc — the ns-3 side of `arpkit sim`'s "resolution burst" benchmark.
 *
 * What it models
 *   One router and N hosts on a single CSMA bus (1 Gb/s, 6560 ns propagation
 *   delay), all in 10.1.0.0/16 (the router is 10.1.0.1, the hosts follow it;
 *   a /16 because N goes up to 10,000). Every host runs a UDP PacketSink on
 *   port 9. At t = 1 s the router sends one UDP datagram to each host from a
 *   single socket, in one scheduled loop. Its ARP cache is empty, so each
 *   datagram waits in the ARP pending queue while the router broadcasts a
 *   request for that host; every broadcast is delivered to every node on the
 *   bus (N receive events per request, hence ~N^2 events in total), the
 *   target answers, and the datagram goes out. The run stops at t = 10 s.
 *
 * Relation to the research
 *   shared/research/sim-parameters.md §4 reports measurements of a
 *   scratch/arp-burst.cc on ns-3.48 (optimized build) with this description:
 *   "1 router sends one UDP packet to each of N hosts at t = 1 s, 1 Gb/s CSMA,
 *   bus", simulated to t = 10 s (N = 1000: 3.0 M events, 1.5 s; N = 3000:
 *   27 M, 28 s; N = 10,000: 300 M, 482 s). That source was not kept; this is a
 *   re-creation from the description, written against Debian 12's packaged
 *   ns-3 3.37 (libns3-dev). Details the description leaves open (payload
 *   size, propagation delay, queue sizes) are chosen here and can be changed
 *   on the command line.
 *
 * Queues
 *   By default every queue on the path is made large enough for the whole
 *   burst (the CSMA device queue and the root queue disc hold N + 1000
 *   packets), so that all N requests go out and the burst resolves fully,
 *   which is what the research's ~3 N^2 event counts imply. Pass
 *   --defaultQueues=1 to keep ns-3's stock queues (100-packet device queue,
 *   FqCoDel root queue disc); large bursts then lose ARP requests and
 *   datagrams.
 *
 * Usage
 *   arp-burst N [--payload=BYTES] [--delayNs=NS] [--defaultQueues=0|1]
 *
 * Output: one JSON line on stdout, e.g.
 *   {"hosts":1000,"delivered":1000,"events":3012345,"wallSeconds":1.52,
 *    "setupSeconds":0.05,"ns3":"3.37"}
 *   wallSeconds times Simulator::Run() only; setupSeconds times building the
 *   topology. events is Simulator::GetEventCount() (available since ns-3.19).
 */

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/traffic-control-module.h"

#include <chrono>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;

namespace
{

const uint16_t kPort = 9;

/* Sends one datagram of `payload` bytes from `socket` to every address in `targets`. */
void
SendBurst(Ptr<Socket> socket, const Ipv4InterfaceContainer* targets, uint32_t payload)
{
    for (uint32_t i = 0; i < targets->GetN(); ++i)
    {
        socket->SendTo(Create<Packet>(payload), 0, InetSocketAddress(targets->GetAddress(i), kPort));
    }
}

double
SecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t hosts = 1000;
    uint32_t payload = 64;
    uint64_t delayNs = 6560;
    bool defaultQueues = false;

    CommandLine cmd(__FILE__);
    cmd.AddNonOption("hosts", "number of hosts on the segment", hosts);
    cmd.AddValue("payload", "UDP payload bytes per datagram", payload);
    cmd.AddValue("delayNs", "CSMA channel propagation delay in nanoseconds", delayNs);
    cmd.AddValue("defaultQueues", "keep ns-3's stock queue sizes", defaultQueues);
    cmd.Parse(argc, argv);
    if (payload < 1)
    {
        std::cerr << "arp-burst: payload must be at least 1 byte\n";
        return 2;
    }
    if (hosts < 1 || hosts > 65000)
    {
        std::cerr << "arp-burst: hosts must be between 1 and 65000\n";
        return 2;
    }

    const auto setupStart = std::chrono::steady_clock::now();

    NodeContainer router;
    router.Create(1);
    NodeContainer hostNodes;
    hostNodes.Create(hosts);
    NodeContainer all(router, hostNodes);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delayNs)));
    const std::string bigQueue = std::to_string(hosts + 1000) + "p";
    if (!defaultQueues)
    {
        csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue(bigQueue));
    }
    NetDeviceContainer devices = csma.Install(all);

    InternetStackHelper stack;
    stack.Install(all);

    if (!defaultQueues)
    {
        // Ipv4AddressHelper::Assign installs FqCoDel on devices without a root
        // queue disc; install a large pfifo first so nothing drops the burst.
        TrafficControlHelper tch;
        tch.SetRootQueueDisc("ns3::FifoQueueDisc", "MaxSize", StringValue(bigQueue));
        tch.Install(devices);
    }

    Ipv4AddressHelper address;
    address.SetBase("10.1.0.0", "255.255.0.0");
    Ipv4InterfaceContainer interfaces = address.Assign(devices);
    Ipv4InterfaceContainer hostInterfaces;
    for (uint32_t i = 1; i < interfaces.GetN(); ++i)
    {
        hostInterfaces.Add(interfaces.Get(i));
    }

    PacketSinkHelper sinkHelper("ns3::UdpSocketFactory",
                                InetSocketAddress(Ipv4Address::GetAny(), kPort));
    ApplicationContainer sinks = sinkHelper.Install(hostNodes);
    sinks.Start(Seconds(0.0));

    Ptr<Socket> socket = Socket::CreateSocket(router.Get(0), UdpSocketFactory::GetTypeId());
    socket->Bind();
    Simulator::Schedule(Seconds(1.0), &SendBurst, socket, &hostInterfaces, payload);

    Simulator::Stop(Seconds(10.0));
    const double setupSeconds = SecondsSince(setupStart);

    const auto runStart = std::chrono::steady_clock::now();
    Simulator::Run();
    const double wallSeconds = SecondsSince(runStart);

    uint64_t delivered = 0;
    for (uint32_t i = 0; i < sinks.GetN(); ++i)
    {
        delivered += DynamicCast<PacketSink>(sinks.Get(i))->GetTotalRx() / payload;
    }

    std::ostringstream json;
    json << std::fixed << std::setprecision(3) << "{\"hosts\":" << hosts
         << ",\"delivered\":" << delivered << ",\"events\":" << Simulator::GetEventCount()
         << ",\"wallSeconds\":" << wallSeconds << ",\"setupSeconds\":" << setupSeconds
         << ",\"payload\":" << payload << ",\"delayNs\":" << delayNs
         << ",\"defaultQueues\":" << (defaultQueues ? "true" : "false") << ",\"ns3\":\"3.37\"}";
    std::cout << json.str() << std::endl;

    Simulator::Destroy();
    return 0;
}

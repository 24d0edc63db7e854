/**
 * Numbers of the capture file formats: classic pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng), after gopacket's `pcapgo` constants.
 */

/** The first four bytes of a classic pcap file, read big-endian: resolution × byte order. */
export const PcapMagic = Object.freeze({
  /** Microsecond stamps, file written big-endian (or read in its own order). */
  MICROSECONDS: 0xa1b2c3d4,
  /** Microsecond stamps, byte-swapped relative to a big-endian read. */
  MICROSECONDS_SWAPPED: 0xd4c3b2a1,
  /** Nanosecond stamps (draft-ietf-opsawg-pcap §4). */
  NANOSECONDS: 0xa1b23c4d,
  /** Nanosecond stamps, byte-swapped. */
  NANOSECONDS_SWAPPED: 0x4d3cb2a1,
});

/** The classic pcap version this code reads and writes (major 2, minor 4). */
export const PcapVersion = Object.freeze({ MAJOR: 2, MINOR: 4 });

/** pcapng block types (draft-ietf-opsawg-pcapng §11.1); other types are skipped by readers. */
export const BlockType = Object.freeze({
  /** Section Header Block; its type reads the same in both byte orders. */
  SECTION_HEADER: 0x0a0d0d0a,
  /** Interface Description Block. */
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Packet Block (obsolete, Appendix A). */
  PACKET: 0x00000002,
  /** Simple Packet Block. */
  SIMPLE_PACKET: 0x00000003,
  /** Enhanced Packet Block. */
  ENHANCED_PACKET: 0x00000006,
});

/** The SHB byte-order magic: reads as this value when the section's byte order is the reader's. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The pcapng version this code reads and writes (major 1; minor 0 and 2 both exist). */
export const PcapngVersion = Object.freeze({ MAJOR: 1, MINOR: 0 });

/** pcapng option codes used here (draft-ietf-opsawg-pcapng §3.5, §4.2). */
export const OptionCode = Object.freeze({
  /** End of options. */
  END_OF_OPT: 0,
  /** IDB if_name: UTF-8 interface name. */
  IF_NAME: 2,
  /** IDB if_tsresol: one byte, 10^-n (high bit clear) or 2^-n (high bit set) seconds per unit. */
  IF_TSRESOL: 9,
  /** IDB if_tsoffset: signed 64-bit seconds added to every timestamp of the interface. */
  IF_TSOFFSET: 14,
});

/** The if_tsresol byte's flag for a binary (2^-n) resolution; the low 7 bits are n. */
export const TSRESOL_BINARY = 0x80;
/** The if_tsresol assumed when an IDB has none: microseconds. */
export const TSRESOL_DEFAULT = 6;

/** LINKTYPE_* values (tcpdump.org link-layer header types) used by arpkit. */
export const LinkType = Object.freeze({
  /** IEEE 802.3 Ethernet (DLT_EN10MB). */
  ETHERNET: 1,
  /** Linux "cooked" capture v1 (DLT_LINUX_SLL). */
  LINUX_SLL: 113,
  /** Linux "cooked" capture v2 (DLT_LINUX_SLL2). */
  LINUX_SLL2: 276,
});

/** Mask of the link type in a classic header's link field; upper bits carry FCS information. */
export const LINKTYPE_MASK = 0xffff;

/** A snaplen of 0 in a classic header means "no limit": treat it as libpcap's maximum. */
export const DEFAULT_SNAPLEN = 262_144;

/** Largest captured length or pcapng block accepted: bounds every buffer a reader allocates. */
export const MAX_RECORD_LEN = 16 * 1024 * 1024;

/**
 * Most IDBs one pcapng section may hold: bounds a reader's interface table, which a file of
 * 20-byte IDBs could otherwise grow by millions of entries. 2^16 is every interface the obsolete
 * Packet Block's 16-bit id can name (Appendix A) and far above real captures (dumpcap writes one
 * IDB per interface it captures on), while a full table of a few fields per entry stays near 3 MB.
 */
export const MAX_INTERFACES_PER_SECTION = 65_536;

/** Classic pcap file header field offsets (draft-ietf-opsawg-pcap §4); all fields 32-bit but versions. */
export const FileHeaderField = Object.freeze({
  MAGIC: 0,
  VERSION_MAJOR: 4,
  VERSION_MINOR: 6,
  THIS_ZONE: 8,
  SIG_FIGS: 12,
  SNAPLEN: 16,
  LINK_TYPE: 20,
  END: 24,
});

/** Classic pcap record header field offsets (draft-ietf-opsawg-pcap §5). */
export const RecordField = Object.freeze({
  TS_SEC: 0,
  TS_FRACTION: 4,
  CAPLEN: 8,
  ORIGLEN: 12,
  DATA: 16,
});

/** Offsets shared by every pcapng block (draft-ietf-opsawg-pcapng §3.1); a copy of the length ends it. */
export const BlockField = Object.freeze({
  TYPE: 0,
  TOTAL_LENGTH: 4,
  BODY: 8,
});

/** Bytes of the trailing copy of a block's total length. */
export const BLOCK_TRAILER_LEN = 4;
/** The shortest block: type, total length and its trailing copy. */
export const MIN_BLOCK_LEN = BlockField.BODY + BLOCK_TRAILER_LEN;
/** Block lengths and option values are padded to this many bytes. */
export const BLOCK_ALIGN = 4;

/** Section Header Block field offsets from the block start (§4.1). */
export const ShbField = Object.freeze({
  BYTE_ORDER_MAGIC: 8,
  VERSION_MAJOR: 12,
  VERSION_MINOR: 14,
  SECTION_LENGTH: 16,
  OPTIONS: 24,
});

/** Interface Description Block field offsets from the block start (§4.2). */
export const IdbField = Object.freeze({
  LINK_TYPE: 8,
  RESERVED: 10,
  SNAPLEN: 12,
  OPTIONS: 16,
});

/** Enhanced Packet Block field offsets from the block start (§4.3). */
export const EpbField = Object.freeze({
  INTERFACE_ID: 8,
  TS_HIGH: 12,
  TS_LOW: 16,
  CAPLEN: 20,
  ORIGLEN: 24,
  DATA: 28,
});

/** Simple Packet Block field offsets from the block start (§4.4). */
export const SpbField = Object.freeze({
  ORIGLEN: 8,
  DATA: 12,
});

/** Obsolete Packet Block field offsets from the block start (Appendix A): a 16-bit interface id. */
export const PbField = Object.freeze({
  INTERFACE_ID: 8,
  DROPS_COUNT: 10,
  TS_HIGH: 12,
  TS_LOW: 16,
  CAPLEN: 20,
  ORIGLEN: 24,
  DATA: 28,
});

/** Option field offsets from the option start (§3.5): 16-bit code and length, padded value. */
export const OptionField = Object.freeze({
  CODE: 0,
  LENGTH: 2,
  VALUE: 4,
});

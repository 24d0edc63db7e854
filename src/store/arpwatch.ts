/**
 * arpwatch's database, `arp.dat`: one binding per line, tab-separated
 * `MAC IP EPOCH [HOSTNAME [INTERFACE]]`, as arpwatch 2.1a15 (`file.c`, `file_loop`) reads it
 * and Debian's arpwatch writes it on exit and every 15 minutes:
 *
 *   02:0a:00:0b:0c:02<TAB>10.99.0.2<TAB>1795329742<TAB><TAB>eth0
 *
 * EPOCH is when arpwatch last saw the pair (`ent_add` updates it on every frame); the hostname
 * is often empty. Upstream arpwatch spells MACs without leading zeros (`0:1b:21:a:b:c`), Debian's
 * with them; both are read. Lines starting with `#` and empty lines are skipped, as arpwatch
 * skips them.
 */
import { AddressParseError } from '../wire/address-error.js';
import { formatIpv4, parseIpv4 } from '../wire/ipv4.js';
import { formatMac, parseMac } from '../wire/mac.js';

/** One binding read from `arp.dat`, in arpkit's spelling. */
export interface ArpwatchEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly mac: string;
  readonly ip: string;
  /** When arpwatch last saw the pair, epoch seconds. */
  readonly lastSeen: number;
  readonly hostname: string;
  /** The line's interface, '' when it names none. */
  readonly iface: string;
}

/** A line that is not a binding: its 1-based number and what was expected there. */
export interface ArpwatchBadLine {
  readonly line: number;
  readonly message: string;
}

/** What a whole `arp.dat` holds. */
export interface ArpwatchFile {
  readonly entries: readonly ArpwatchEntry[];
  readonly bad: readonly ArpwatchBadLine[];
}

/** The form of a line, for messages. */
export const ARP_DAT_LINE = 'MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME[<TAB>INTERFACE]]';

const EPOCH = /^\d{1,12}$/;

/** Reads every line of `text`; a bad line is listed and skipped, as arpwatch skips it. */
export function parseArpDat(text: string): ArpwatchFile {
  const entries: ArpwatchEntry[] = [];
  const bad: ArpwatchBadLine[] = [];
  const lines = text.split('\n');
  // A file ending in a newline has an empty last piece, not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '' || content.startsWith('#')) return;
    const result = parseLine(content, line);
    if ('message' in result) bad.push(result);
    else entries.push(result);
  });
  return { entries, bad };
}

function parseLine(content: string, line: number): ArpwatchEntry | ArpwatchBadLine {
  const fields = content.split('\t');
  if (fields.length < 3) {
    const got = fields.length === 1 ? 'no tab' : `${fields.length} fields`;
    return { line, message: `expected ${ARP_DAT_LINE}, got ${got}: ${quote(content)}` };
  }
  const [macText, ipText, epochText, hostname = '', iface = ''] = fields as [
    string,
    string,
    string,
    ...string[],
  ];
  let mac: string;
  let ip: string;
  try {
    mac = formatMac(parseMac(macText));
  } catch (error) {
    if (!(error instanceof AddressParseError)) throw error;
    return { line, message: `expected a MAC (e.g. 0:1b:21:a:b:c) first, got ${quote(macText)}` };
  }
  try {
    ip = formatIpv4(parseIpv4(ipText));
  } catch (error) {
    if (!(error instanceof AddressParseError)) throw error;
    return { line, message: `expected an IPv4 address second, got ${quote(ipText)}` };
  }
  if (!EPOCH.test(epochText)) {
    return { line, message: `expected epoch seconds third, got ${quote(epochText)}` };
  }
  return { line, mac, ip, lastSeen: Number(epochText), hostname, iface: iface.trim() };
}

/** A field as JSON quotes it (tabs and control characters visible), cut to 60 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

// bench/warc_check runs this from build/warcio, where the warcio package is installed.
// Reads WARC files with the warcio package and checks every record's digests and linkage.
import { AsyncIterReader, WARCParser } from "warcio";
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(bytes) {
  let bits = 0, value = 0, out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}
const sha1 = (bytes) => "sha1:" + base32(createHash("sha1").update(bytes).digest());

let failures = 0, records = 0;
const fail = (message) => { failures++; console.error("FAIL " + message); };
for (const file of process.argv.slice(2)) {
  const parser = new WARCParser(createReadStream(file));
  const byId = new Map();
  let first = true;
  for await (const record of parser) {
    records++;
    const type = record.warcType, id = record.warcHeader("WARC-Record-ID");
    if (first && type !== "warcinfo") fail(`${file}: first record is ${type}`);
    first = false;
    byId.set(id, record);
    if (type === "request" || type === "response") {
      // WARC 1.1: the payload is the entity body, so warcio's own dechunker removes a chunked
      // transfer coding (and nothing else: a gzip body stays gzip).
      let payload = await record.readFully(false);
      const transfer = record.httpHeaders?.headers.get("Transfer-Encoding");
      if (transfer === "chunked") payload = await new AsyncIterReader([payload], null, true).readFully();
      const expected = record.warcHeader("WARC-Payload-Digest");
      if (sha1(payload) !== expected) fail(`${file}: ${type} ${record.warcTargetURI} payload digest ${expected} != ${sha1(payload)}`);
      if (!record.httpHeaders) fail(`${file}: ${type} ${id} has no HTTP headers warcio can parse`);
      if (!record.warcHeader("WARC-Concurrent-To")) fail(`${file}: ${type} ${id} is linked to nothing`);
      record._target = record.warcTargetURI;
      record._concurrent = record.warcHeader("WARC-Concurrent-To");
    }
  }
  for (const [id, record] of byId) {
    if (!record._concurrent) continue;
    const other = byId.get(record._concurrent);
    if (!other || other._concurrent !== id) fail(`${file}: ${id} and ${record._concurrent} are not linked both ways`);
  }
}
console.log(`${records} records read by warcio, ${failures} failures`);
process.exit(failures ? 1 : 0);

/**
 * KMS returns ECDSA signatures DER-encoded (SEQUENCE { INTEGER r, INTEGER s }); a JWS
 * ES256 signature is r ‖ s, each left-padded to 32 bytes (RFC 7518 §3.4).
 */
export function derToJose(der: Uint8Array, size = 32): Uint8Array {
  let i = 0;
  const byte = (): number => {
    if (i >= der.length) throw new Error('truncated DER signature');
    return der[i++]!;
  };
  const length = (): number => {
    const first = byte();
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) throw new Error('unsupported DER length');
    let len = 0;
    for (let k = 0; k < n; k++) len = (len << 8) | byte();
    return len;
  };
  if (byte() !== 0x30) throw new Error('DER signature must be a SEQUENCE');
  if (length() !== der.length - i) throw new Error('DER sequence length mismatch');
  const out = new Uint8Array(size * 2);
  for (const offset of [0, size]) {
    if (byte() !== 0x02) throw new Error('DER signature must hold INTEGERs');
    const len = length();
    let start = i;
    let n = len;
    while (n > size && der[start] === 0) { start++; n--; } // drop sign-padding zeros
    if (n > size || n === 0) throw new Error('DER integer out of range');
    out.set(der.subarray(start, start + n), offset + size - n);
    i += len;
  }
  if (i !== der.length) throw new Error('trailing bytes after DER signature');
  return out;
}

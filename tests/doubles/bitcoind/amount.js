'use strict';
// Exact amounts: bitcoind's amounts are BTC with 8 decimals, written as JSON numbers
// (UniValue's ValueFromAmount prints "%d.%08d"). Here every amount is a BigInt of satoshis;
// incoming JSON is parsed so that each number keeps its source text (RawNum), and outgoing JSON
// is written by hand so that an amount is printed as its exact 8-decimal text.

const COIN = 100000000n;

class RawNum { constructor(text) { this.text = text; } toString() { return this.text; } }
class Btc { constructor(sats) { this.sats = BigInt(sats); } }

// "1.5", "0.00000001", "1e-8", "2" -> satoshis; null when not exactly representable or not a
// number. bitcoind's ParseFixedPoint accepts an exponent and at most 8 decimals.
function parseSats(text) {
  const m = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(text).trim());
  if (!m) return null;
  let digits = m[2] + (m[3] || '');
  let scale = (m[3] || '').length - Number(m[4] || 0); // value = digits * 10^-scale
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > 40) return null;
  let v = BigInt(digits);
  if (scale > 8) {
    const div = 10n ** BigInt(scale - 8);
    if (v % div !== 0n) return null;
    v /= div;
  } else v *= 10n ** BigInt(8 - scale);
  return m[1] ? -v : v;
}
function fmt(sats) {
  sats = BigInt(sats);
  const neg = sats < 0n; const a = neg ? -sats : sats;
  return `${neg ? '-' : ''}${a / COIN}.${(a % COIN).toString().padStart(8, '0')}`;
}

// JSON.parse, but numbers become RawNum (their exact source text).
function parseJson(text) {
  let out = ''; let i = 0; const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1); i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) throw new SyntaxError('bad number');
      out += JSON.stringify('\u0000num:' + m[0]); i += m[0].length;
    } else { out += c; i++; }
  }
  return JSON.parse(out, (k, v) => (typeof v === 'string' && v.startsWith('\u0000num:') ? new RawNum(v.slice(5)) : v));
}
// The JSON text of a value whose amounts are Btc (printed exactly) and whose other numbers are
// plain JS numbers or BigInts.
function toJson(v) {
  if (v instanceof Btc) return fmt(v.sats);
  if (v instanceof RawNum) return v.text;
  if (typeof v === 'bigint') return v.toString();
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}
// Plain JS view of a parsed value (RawNum -> Number), for non-amount fields.
function plain(v) {
  if (v instanceof RawNum) return Number(v.text);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

module.exports = { COIN, RawNum, Btc, parseSats, fmt, parseJson, toJson, plain };

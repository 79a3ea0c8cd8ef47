'use strict';
// Issued-currency amounts as the XRP Ledger keeps them: a signed mantissa of 16 significant
// digits and a decimal exponent (https://xrpl.org/docs/references/protocol/binary-format#token-amount-format).
// Exact BigInt arithmetic, then truncation to 16 digits (rippled's STAmount canonicalize).
// Never JS floats.

const MIN = 10n ** 15n;
const MAX = 10n ** 16n;

class Dec {
  constructor(m, e) {
    if (m === 0n) { this.m = 0n; this.e = -100; return; }
    let neg = m < 0n;
    if (neg) m = -m;
    while (m >= MAX) { m /= 10n; e += 1; }
    while (m < MIN) { m *= 10n; e -= 1; }
    this.m = neg ? -m : m;
    this.e = e;
  }
  static parse(s) {
    const r = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(String(s));
    if (!r || (r[2] === '' && (r[3] || '') === '')) throw new Error(`bad amount value: ${s}`);
    const frac = r[3] || '';
    let m = BigInt((r[2] || '0') + frac);
    if (r[1] === '-') m = -m;
    return new Dec(m, Number(r[4] || 0) - frac.length);
  }
  static zero() { return new Dec(0n, 0); }
  isZero() { return this.m === 0n; }
  sign() { return this.m === 0n ? 0 : (this.m < 0n ? -1 : 1); }
  neg() { return new Dec(-this.m, this.e); }
  add(o) {
    if (this.isZero()) return o;
    if (o.isZero()) return this;
    const e = Math.min(this.e, o.e);
    const a = this.m * 10n ** BigInt(this.e - e);
    const b = o.m * 10n ** BigInt(o.e - e);
    return new Dec(a + b, e);
  }
  sub(o) { return this.add(o.neg()); }
  cmp(o) { return this.sub(o).sign(); }
  lt(o) { return this.cmp(o) < 0; }
  min(o) { return this.cmp(o) <= 0 ? this : o; }
  // rippled STAmount::getText: plain decimal for exponents in [-25, -5], else "mantissa e exponent".
  toString() {
    if (this.m === 0n) return '0';
    const neg = this.m < 0n;
    const m = neg ? -this.m : this.m;
    if (this.e < -25 || this.e > -5) return `${neg ? '-' : ''}${m}e${this.e}`;
    const digits = m.toString().padStart(-this.e + 1, '0');
    const int = digits.slice(0, digits.length + this.e);
    const frac = digits.slice(digits.length + this.e).replace(/0+$/, '');
    return `${neg ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
  }
}

module.exports = { Dec };

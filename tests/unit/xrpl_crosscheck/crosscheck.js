#!/usr/bin/env node
// The cross-check of og::xrpl against the XRP Ledger's own libraries (ctest
// unit.xrpl_crosscheck, unit.xrpl_crosscheck_decode). Uses only tests/doubles/node_modules
// (ripple-binary-codec, ripple-keypairs, ripple-address-codec, bignumber.js).
//
//   xrpl_samples | node crosscheck.js
//       each line of xrpl_samples (tests/unit/xrpl_crosscheck/samples.cpp) is checked:
//       encode(tx_json) == blob, decode(blob) == tx_json (issued values numerically; exactly
//       against our own decode's text), encodeForSigning == signing_data, the signature
//       verifies, the key pair (and for secp256k1 the root key pair, node and account public
//       keys), address, seed and X-addresses agree, the transaction id is
//       SHA-512Half(54584E00 || blob). Prints one line per mismatch, exits 1 on any.
//   node crosscheck.js --emit N
//       N JSON lines {"blob", "tx_json"} of random transactions encoded by
//       ripple-binary-codec (a fixed PRNG seed), for `xrpl_samples --decode`.
//   node crosscheck.js --emit-dir DIR
//       the files of DIR (tests/fuzz/corpus/xrpl) that ripple-binary-codec decodes, as
//       {"blob", "tx_json"}, for `xrpl_samples --decode --refusals-ok`.
//   node crosscheck.js --emit-texts N
//       N texts (addresses, X-addresses, seeds, public keys, issued values, drops; valid and
//       broken) with what ripple-address-codec and ripple-binary-codec make of each, for
//       `xrpl_samples --texts`.
//   node crosscheck.js --emit-json N
//       N transactions with an odd field each, with ripple-binary-codec's encoding or null,
//       for `xrpl_samples --decode --refusals-ok` (where we encode, the bytes must agree).
//   node crosscheck.js --emit-sigs N
//       signatures of N ripple-keypairs key pairs and malformed variants, with its
//       verify's verdict, for `xrpl_samples --sigs`.
'use strict'

const path = require('path')
const crypto = require('crypto')
const util = require('util')
const readline = require('readline')

const modules = path.join(__dirname, '..', '..', 'doubles', 'node_modules')
const codec = require(path.join(modules, 'ripple-binary-codec'))
const keypairs = require(path.join(modules, 'ripple-keypairs'))
const addressCodec = require(path.join(modules, 'ripple-address-codec'))
const BigNumber = require(path.join(modules, 'bignumber.js'))

const AMOUNT_FIELDS = ['Amount', 'LimitAmount', 'Fee', 'SendMax', 'DeliverMin']

// tx_json with every issued value rewritten as BigNumber's plain decimal (what
// ripple-binary-codec's decode writes), so that "1.5e3" and "1500" compare equal.
function canonicalValues(tx) {
  const out = JSON.parse(JSON.stringify(tx))
  for (const f of AMOUNT_FIELDS) {
    if (out[f] && typeof out[f] === 'object' && 'value' in out[f]) {
      out[f].value = new BigNumber(out[f].value).toFixed()
      if (out[f].value === '-0') out[f].value = '0'
    }
  }
  return out
}

function sha512Half(hex) {
  return crypto.createHash('sha512').update(Buffer.from(hex, 'hex')).digest('hex').slice(0, 64).toUpperCase()
}

function check(sample, n, fail) {
  const { tx_json: tx, blob } = sample
  const f = (field, msg) => fail(`sample ${n} (${tx.TransactionType}, ${sample.key_type}): ${field}: ${msg}`)
  const eq = (a, b) => String(a).toUpperCase() === String(b).toUpperCase()

  let theirs
  try {
    theirs = codec.encode(tx)
    if (!eq(theirs, blob)) f('blob', `codec.encode gives ${theirs}, ours ${blob}`)
  } catch (e) {
    f('blob', `codec.encode throws ${e.message}`)
  }
  try {
    const decoded = codec.decode(blob)
    if (!util.isDeepStrictEqual(decoded, canonicalValues(tx)))
      f('decode', `codec.decode gives ${JSON.stringify(decoded)}, signed ${JSON.stringify(tx)}`)
    if (sample.decoded && !util.isDeepStrictEqual(decoded, sample.decoded))
      f('decoded', `codec.decode gives ${JSON.stringify(decoded)}, our decode ${JSON.stringify(sample.decoded)}`)
  } catch (e) {
    f('decode', `codec.decode throws ${e.message}`)
  }
  const unsigned = { ...tx }
  delete unsigned.TxnSignature
  try {
    const forSigning = codec.encodeForSigning(unsigned)
    if (!eq(forSigning, sample.signing_data)) f('signing_data', `codec.encodeForSigning gives ${forSigning}, ours ${sample.signing_data}`)
  } catch (e) {
    f('signing_data', `codec.encodeForSigning throws ${e.message}`)
  }
  try {
    if (!keypairs.verify(sample.signing_data, tx.TxnSignature, tx.SigningPubKey)) f('TxnSignature', 'keypairs.verify is false')
  } catch (e) {
    f('TxnSignature', `keypairs.verify throws ${e.message}`)
  }
  try {
    const address = keypairs.deriveAddress(tx.SigningPubKey)
    if (address !== sample.address) f('address', `keypairs.deriveAddress gives ${address}, ours ${sample.address}`)
    if (tx.Account !== sample.address) f('Account', `${tx.Account} is not the signer's ${sample.address}`)
    const kp = keypairs.deriveKeypair(sample.seed)
    if (!eq(kp.publicKey, tx.SigningPubKey)) f('seed', `keypairs.deriveKeypair gives ${kp.publicKey}, ours ${tx.SigningPubKey}`)
    const seedType = sample.key_type === 'ed25519' ? 'ed25519' : 'secp256k1'
    const seed = addressCodec.encodeSeed(Buffer.from(sample.entropy, 'hex'), seedType)
    if (seed !== sample.seed) f('seed', `encodeSeed gives ${seed}, ours ${sample.seed}`)
    const dseed = addressCodec.decodeSeed(sample.seed)
    if (dseed.type !== seedType || !eq(Buffer.from(dseed.bytes).toString('hex'), sample.entropy))
      f('seed', `decodeSeed gives ${dseed.type} ${Buffer.from(dseed.bytes).toString('hex')}`)
    if (sample.root_public_key) {
      const root = keypairs.deriveKeypair(sample.seed, { validator: true })
      if (!eq(root.publicKey, sample.root_public_key))
        f('root_public_key', `deriveKeypair(seed, {validator}) gives ${root.publicKey}, ours ${sample.root_public_key}`)
      const node = addressCodec.encodeNodePublic(Buffer.from(sample.root_public_key, 'hex'))
      if (node !== sample.node_public) f('node_public', `encodeNodePublic gives ${node}, ours ${sample.node_public}`)
      const nodeAddress = keypairs.deriveNodeAddress(sample.node_public)
      if (nodeAddress !== sample.address) f('node_public', `deriveNodeAddress gives ${nodeAddress}, the account is ${sample.address}`)
      const acct = addressCodec.encodeAccountPublic(Buffer.from(tx.SigningPubKey, 'hex'))
      if (acct !== sample.account_public) f('account_public', `encodeAccountPublic gives ${acct}, ours ${sample.account_public}`)
    }
  } catch (e) {
    f('keys', `ripple-keypairs throws ${e.message}`)
  }
  const hash = sha512Half('54584E00' + blob)
  if (!eq(hash, sample.hash)) f('hash', `SHA-512Half(TXN||blob) is ${hash}, ours ${sample.hash}`)
  if (sample.verified !== true) f('verified', 'our verify_transaction is false')
  try {
    const x = addressCodec.classicAddressToXAddress(sample.address, false, false)
    if (x !== sample.x_address) f('x_address', `classicAddressToXAddress gives ${x}, ours ${sample.x_address}`)
    const xt = addressCodec.classicAddressToXAddress(sample.address, sample.tag, sample.test_net)
    if (xt !== sample.x_address_tag) f('x_address_tag', `classicAddressToXAddress gives ${xt}, ours ${sample.x_address_tag}`)
    const back = addressCodec.xAddressToClassicAddress(sample.x_address_tag)
    if (back.classicAddress !== sample.address || back.tag !== sample.tag || back.test !== sample.test_net)
      f('x_address_tag', `xAddressToClassicAddress gives ${JSON.stringify(back)}`)
    const back0 = addressCodec.xAddressToClassicAddress(sample.x_address)
    if (back0.classicAddress !== sample.address || back0.tag !== false || back0.test !== false)
      f('x_address', `xAddressToClassicAddress gives ${JSON.stringify(back0)}`)
    if (!addressCodec.isValidClassicAddress(sample.address)) f('address', 'isValidClassicAddress is false')
    for (const a of [tx.Destination, tx.LimitAmount && tx.LimitAmount.issuer, tx.Amount && tx.Amount.issuer]) {
      if (a && !addressCodec.isValidClassicAddress(a)) f('address', `isValidClassicAddress(${a}) is false`)
    }
  } catch (e) {
    f('x_address', `ripple-address-codec throws ${e.message}`)
  }
}

async function crosscheck() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  let n = 0
  let failures = 0
  const fail = (msg) => {
    failures++
    if (failures <= 200) console.log(`FAIL ${msg}`)
  }
  for await (const line of rl) {
    if (!line.trim()) continue
    n++
    let sample
    try {
      sample = JSON.parse(line)
    } catch (e) {
      fail(`line ${n}: not JSON: ${e.message}`)
      continue
    }
    check(sample, n, fail)
  }
  if (n === 0) {
    console.log('crosscheck: no samples on stdin')
    process.exit(1)
  }
  if (failures) {
    console.log(`crosscheck: ${failures} mismatches in ${n} samples`)
    process.exit(1)
  }
  console.log(`crosscheck: ${n} samples agree with ripple-binary-codec, ripple-keypairs and ripple-address-codec`)
}

// ---- --emit: random transactions encoded by ripple-binary-codec

function mulberry32(a) {
  return function () {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function emit(count) {
  const rnd = mulberry32(0x0517)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const chance = (p) => rnd() * 100 < p
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255)))
  const hex = (n) => bytes(n).toString('hex').toUpperCase()
  const account = () => addressCodec.encodeAccountID(bytes(20))
  const pick = (a) => a[int(0, a.length - 1)]
  const drops = () =>
    pick(['0', '1', '100000000000000000', String(int(1, 1000)), String(BigInt(int(0, 2 ** 30)) * BigInt(int(0, 2 ** 26)) + 1n)])
  const iouValue = () => {
    if (chance(5)) return '0'
    const digits = int(1, 16)
    let m = String(int(1, 9))
    for (let i = 1; i < digits; i++) m += String(int(0, 9))
    const e = chance(60) ? int(-20, 20) : int(-96 - digits + 16, 80 - digits + 16)
    return (chance(20) ? '-' : '') + m + 'e' + e
  }
  // Standard-format codes (bytes 12..14 only) with bytes in and out of ISO_REGEX, which
  // decode writes as three characters or as hex.
  const standard = () => {
    const b = Buffer.alloc(20)
    for (let i = 12; i < 15; i++) b[i] = chance(70) ? pick([...Buffer.from('AZaz09?!@#$%^&*(){}[]|')]) : pick([0, 0x20, 0x2d, 0x7e, 0x7f, 0x80, 0xc3, 0xff])
    if (chance(5)) b.write('XRP', 12)
    return b.toString('hex').toUpperCase()
  }
  const currency = () =>
    chance(25) ? hex(20).replace(/^00/, '01') : chance(30) ? standard() : pick(['USD', 'EUR', 'BTC', 'a$c', '???', 'XYZ'])
  const iou = () => ({ currency: currency(), issuer: account(), value: iouValue() })
  const amount = () => (chance(45) ? drops() : iou())
  const u32 = () => int(0, 0xffffffff)
  let emitted = 0
  while (emitted < count) {
    const type = pick(['Payment', 'TrustSet', 'AccountSet'])
    const tx = { TransactionType: type, Account: account(), Fee: String(int(10, 100000)), Sequence: u32() }
    if (chance(50)) tx.Flags = u32()
    if (chance(20)) tx.LastLedgerSequence = u32()
    if (chance(10)) tx.SourceTag = u32()
    if (chance(5)) tx.NetworkID = u32()
    if (chance(5)) tx.TicketSequence = u32()
    if (chance(5)) tx.AccountTxnID = hex(32)
    if (type === 'Payment') {
      tx.Destination = account()
      tx.Amount = amount()
      if (chance(40)) tx.DestinationTag = u32()
      if (chance(20)) tx.InvoiceID = hex(32)
      if (chance(30)) tx.SendMax = amount()
      if (chance(20)) tx.DeliverMin = amount()
    } else if (type === 'TrustSet') {
      tx.LimitAmount = iou()
      if (chance(40)) tx.QualityIn = u32()
      if (chance(40)) tx.QualityOut = u32()
    } else {
      if (chance(50)) tx.SetFlag = int(0, 20)
      if (chance(30)) tx.ClearFlag = int(0, 20)
      if (chance(40)) tx.Domain = Buffer.from(pick(['example.com', 'xrpl.org', ''])).toString('hex').toUpperCase()
      if (chance(40)) tx.TransferRate = u32()
      if (chance(10)) tx.EmailHash = hex(16)
      if (chance(10)) tx.WalletLocator = hex(32)
      if (chance(10)) tx.TickSize = int(0, 255)
      if (chance(10)) tx.MessageKey = hex(33)
    }
    if (chance(20)) {
      tx.Memos = Array.from({ length: int(1, 3) }, () => {
        const memo = {}
        if (chance(60)) memo.MemoType = hex(int(0, 20))
        if (chance(80) || !memo.MemoType) memo.MemoData = hex(pick([0, 1, 192, 193, 12480, 12481, int(0, 500)]))
        if (chance(20)) memo.MemoFormat = hex(int(0, 10))
        return { Memo: memo }
      })
    }
    if (chance(80)) tx.SigningPubKey = pick(['ED', '02', '03']) + hex(32)
    if (chance(70)) tx.TxnSignature = hex(pick([64, 70, 71, 72]))
    let blob
    try {
      blob = codec.encode(tx)
    } catch (e) {
      continue // a random value the codec refuses: not a sample
    }
    console.log(JSON.stringify({ blob, tx_json: codec.decode(blob) }))
    emitted++
  }
}

// ---- --emit-dir: the files of a directory (the fuzz corpus) that ripple-binary-codec decodes,
// as bytes or as hex text, for `xrpl_samples --decode --refusals-ok`: wherever both decode,
// the JSON must be the same.

function emitDir(dir) {
  const fs = require('fs')
  for (const f of fs.readdirSync(dir).sort()) {
    const buf = fs.readFileSync(path.join(dir, f))
    const text = buf.toString('latin1')
    // A transaction as JSON (the harness' encode input): what ripple-binary-codec encodes
    // of it, for our encode to compare.
    if (text.startsWith('{')) {
      let json
      try {
        json = JSON.parse(text)
      } catch (e) {
        json = null
      }
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        let blob = null
        try {
          blob = codec.encode(json)
        } catch (e) {
          blob = null
        }
        console.log(JSON.stringify({ json, ripple_blob: blob, file: f }))
      }
    }
    const forms = [buf.toString('hex').toUpperCase()]
    if (/^[0-9a-fA-F]*$/.test(text) && text.length % 2 === 0 && text.length > 0) forms.push(text.toUpperCase())
    for (const blob of forms) {
      let tx
      try {
        tx = codec.decode(blob)
      } catch (e) {
        continue
      }
      console.log(JSON.stringify({ blob, tx_json: tx, file: f }))
    }
  }
}

// ---- --emit-texts N: texts for our text decoders (addresses, X-addresses, seeds, public
// keys, issued values, drops), valid and broken, each with what ripple-address-codec and
// ripple-binary-codec make of it, for `xrpl_samples --texts`.

function emitTexts(count) {
  const rnd = mulberry32(0x7e575)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const chance = (p) => rnd() * 100 < p
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255)))
  const pick = (a) => a[int(0, a.length - 1)]
  const alphabet = 'rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz'
  const checked = (b) => addressCodec.codec.encodeChecked(Uint8Array.from(b))
  const mutate = (s) => {
    const i = int(0, Math.max(0, s.length - 1))
    switch (int(0, 5)) {
      case 0: return s.slice(0, i) + pick([...alphabet]) + s.slice(i + 1)
      case 1: return s.slice(0, i) + s.slice(i + 1)
      case 2: return s.slice(0, i) + pick([...alphabet]) + s.slice(i)
      case 3: return 'r' + s
      case 4: return s + pick(['', ' ', '0', 'O', 'l', 'I'])
      default: return s
    }
  }
  const xPayload = () => {
    const b = [...(chance(50) ? [0x05, 0x44] : [0x04, 0x93]), ...bytes(20)]
    const flag = chance(80) ? int(0, 1) : int(2, 255)
    b.push(flag)
    const tag = flag === 1 || chance(10) ? [...bytes(4)] : [0, 0, 0, 0]
    b.push(...tag)
    b.push(...(chance(85) ? [0, 0, 0, 0] : [...bytes(4)]))
    if (chance(10)) b.push(0)
    if (chance(10)) b.pop()
    if (chance(5)) b[0] = int(0, 255)
    return b
  }
  const digits = (n, first19 = true) => {
    let s = first19 ? String(int(1, 9)) : String(int(0, 9))
    for (let i = 1; i < n; i++) s += String(int(0, 9))
    return s
  }
  const value = () => {
    const sign = pick(['', '', '', '-', '+'])
    switch (int(0, 9)) {
      case 0: return sign + digits(int(1, 18)) + 'e' + int(-120, 100)
      case 1: return sign + '0.' + '0'.repeat(int(0, 100)) + digits(int(1, 17))
      case 2: return sign + digits(int(1, 20)) + '.' + digits(int(1, 20), false)
      case 3: return sign + digits(int(1, 3)) + '.' + '0'.repeat(int(0, 200))
      case 4: return pick(['.5', '1.', '00.1', '0', '-0', '0e999', '1e', 'e5', '1e+', '1.5.5', ' 1', '1 ', 'NaN', 'Infinity', '0x10', '1_0', ''])
      case 5: return sign + pick(['1e-81', '1e-82', '9999999999999999e80', '1e96', '99999999999999999e79', '1000000000000000e-96', '1000000000000000e-97', '1e-96'])
      default: return sign + digits(int(1, 16)) + pick(['e', 'E']) + pick(['', '+', '-']) + int(0, 30)
    }
  }
  const drops = () =>
    pick([
      () => digits(int(1, 19)),
      () => pick(['0', '00', '01', '+1', '-1', '1e3', '1.0', '100000000000000000', '100000000000000001', '99999999999999999', ' 1']),
      () => String(int(0, 1000)),
    ])()
  const texts = []
  const kinds = [
    () => addressCodec.encodeAccountID(bytes(20)),
    () => mutate(addressCodec.encodeAccountID(bytes(20))),
    () => checked([0, ...bytes(pick([19, 21]))]),
    () => addressCodec.classicAddressToXAddress(addressCodec.encodeAccountID(bytes(20)), chance(50) ? int(0, 0xffffffff) : false, chance(50)),
    () => mutate(addressCodec.classicAddressToXAddress(addressCodec.encodeAccountID(bytes(20)), int(0, 0xffffffff), chance(50))),
    () => checked(xPayload()),
    () => addressCodec.encodeSeed(bytes(16), pick(['ed25519', 'secp256k1'])),
    () => mutate(addressCodec.encodeSeed(bytes(16), pick(['ed25519', 'secp256k1']))),
    () => checked([...pick([[0x21], [0x01, 0xe1, 0x4b], [0x01, 0xe1], [0x22]]), ...bytes(pick([15, 16, 16, 17]))]),
    () => addressCodec.encodeNodePublic(bytes(33)),
    () => addressCodec.encodeAccountPublic(bytes(33)),
    () => checked([pick([0x1c, 0x23]), ...bytes(pick([32, 33, 34]))]),
    value,
    value,
    value,
    drops,
  ]
  for (let i = 0; i < count; i++) texts.push(kinds[i % kinds.length]())
  const hex = (b) => Buffer.from(b).toString('hex').toUpperCase()
  const attempt = (fn) => {
    try {
      return fn()
    } catch (e) {
      return null
    }
  }
  const issuer = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh'
  for (const text of texts) {
    const line = { text }
    line.classic = attempt(() => hex(addressCodec.decodeAccountID(text)))
    line.x = attempt(() => {
      const d = addressCodec.decodeXAddress(text)
      return { account: hex(d.accountId), tag: d.tag === false ? null : d.tag, test: d.test }
    })
    line.seed = attempt(() => {
      const d = addressCodec.decodeSeed(text)
      return { type: d.type, entropy: hex(d.bytes) }
    })
    line.node_public = attempt(() => hex(addressCodec.decodeNodePublic(text)))
    line.account_public = attempt(() => hex(addressCodec.decodeAccountPublic(text)))
    line.iou = attempt(() => codec.encode({ TransactionType: 'Payment', Amount: { currency: 'USD', issuer, value: text } }))
    line.drops = attempt(() => codec.encode({ TransactionType: 'Payment', Amount: text }))
    console.log(JSON.stringify(line))
  }
}

// ---- --emit-sigs N: signatures by ripple-keypairs and malformed variants of them (high S,
// non-minimal or BER DER, trailing bytes, S + L for ed25519, another message or key), each
// with ripple-keypairs' verdict, for `xrpl_samples --sigs`.

function emitSigs(count) {
  const rnd = mulberry32(0x5169)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const bytes = (n) => Uint8Array.from(Array.from({ length: n }, () => int(0, 255)))
  const hexOf = (b) => Buffer.from(b).toString('hex').toUpperCase()
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const L = 2n ** 252n + 27742317777372353535851937790883648493n
  const big = (b) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'))
  const be = (x) => {
    let h = x.toString(16)
    if (h.length % 2) h = '0' + h
    return Buffer.from(h, 'hex')
  }
  const derInt = (x, pad = 0) => {
    let b = be(x)
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b])
    b = Buffer.concat([Buffer.alloc(pad), b])
    return Buffer.concat([Buffer.from([0x02, b.length]), b])
  }
  const der = (r, s, opts = {}) => {
    const body = Buffer.concat([derInt(r, opts.padR || 0), derInt(s, opts.padS || 0)])
    const head = opts.longLength ? Buffer.from([0x30, 0x81, body.length]) : Buffer.from([0x30, body.length])
    return Buffer.concat([head, body, opts.trailing ? Buffer.from([0]) : Buffer.alloc(0)])
  }
  const parseDer = (sig) => {
    const b = Buffer.from(sig, 'hex')
    const rlen = b[3]
    const r = big(b.subarray(4, 4 + rlen))
    const s = big(b.subarray(6 + rlen, 6 + rlen + b[5 + rlen]))
    return { r, s }
  }
  const leLe = (x) => Buffer.from(be(x).reverse().toString('hex').padEnd(64, '0'), 'hex')
  for (let i = 0; i < count; i++) {
    const algorithm = i % 2 ? 'ed25519' : 'ecdsa-secp256k1'
    const kp = keypairs.deriveKeypair(keypairs.generateSeed({ entropy: bytes(16), algorithm }))
    const other = keypairs.deriveKeypair(keypairs.generateSeed({ entropy: bytes(16), algorithm }))
    const msg = hexOf(bytes(int(0, 200)))
    const sig = keypairs.sign(msg, kp.privateKey)
    const variants = [['original', kp.publicKey, msg, sig], ['other key', other.publicKey, msg, sig]]
    variants.push(['other message', kp.publicKey, msg + '00', sig])
    variants.push(['truncated', kp.publicKey, msg, sig.slice(0, -2)])
    variants.push(['trailing byte', kp.publicKey, msg, sig + '00'])
    if (algorithm === 'ed25519') {
      const b = Buffer.from(sig, 'hex')
      const S = big(Buffer.from(b.subarray(32)).reverse())
      variants.push(['S + L', kp.publicKey, msg, hexOf(Buffer.concat([b.subarray(0, 32), leLe(S + L)]))])
      const flipped = Buffer.from(b)
      flipped[int(0, 63)] ^= 1 << int(0, 7)
      variants.push(['bit flipped', kp.publicKey, msg, hexOf(flipped)])
    } else {
      const { r, s } = parseDer(sig)
      variants.push(['re-encoded', kp.publicKey, msg, hexOf(der(r, s))])
      variants.push(['high S', kp.publicKey, msg, hexOf(der(r, N - s))])
      variants.push(['R padded', kp.publicKey, msg, hexOf(der(r, s, { padR: 1 }))])
      variants.push(['S padded', kp.publicKey, msg, hexOf(der(r, s, { padS: 1 }))])
      variants.push(['long length', kp.publicKey, msg, hexOf(der(r, s, { longLength: true }))])
      variants.push(['DER trailing', kp.publicKey, msg, hexOf(der(r, s, { trailing: true }))])
      variants.push(['R + N', kp.publicKey, msg, hexOf(der(r + N, s))])
      variants.push(['S = 0', kp.publicKey, msg, hexOf(der(r, 0n))])
      variants.push(['ed key', 'ED' + hexOf(bytes(32)), msg, sig])
      variants.push(['off-curve key', '02' + 'FF'.repeat(32), msg, sig])
    }
    for (const [what, pub, message, signature] of variants) {
      let ok = false
      try {
        ok = keypairs.verify(message, signature, pub) === true
      } catch (e) {
        ok = false
      }
      console.log(JSON.stringify({ what, algorithm, public_key: pub, message, signature, verifies: ok }))
    }
  }
}

// ---- --emit-json N: xrpl_samples' kind of transactions with one field made odd (numbers as
// strings, floats, negatives, out of range, lowercase hex, odd-length hex, X-addresses,
// the XRP currency, lowercase hex currencies, extra keys, unknown fields), each with
// ripple-binary-codec's encoding or null, for `xrpl_samples --decode --refusals-ok`: where
// we encode, it must be to its bytes.

function emitJson(count) {
  const rnd = mulberry32(0x150)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const pick = (a) => a[int(0, a.length - 1)]
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255)))
  const hex = (n) => bytes(n).toString('hex').toUpperCase()
  const account = () => addressCodec.encodeAccountID(bytes(20))
  const issuer = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh'
  const odd = {
    number: () => pick([0, 1, -1, 1.5, 4294967295, 4294967296, 2 ** 53, '7', '0x10', null, true, [], {}]),
    hash: (n) => pick([hex(n).toLowerCase(), hex(n - 1), hex(n + 1), hex(n).slice(1), 'ZZ' + hex(n - 1), hex(n)]),
    blob: () => pick([hex(int(0, 40)).toLowerCase(), hex(3).slice(1), '', 'XYZ', hex(int(0, 40))]),
    address: () =>
      pick([
        account(),
        addressCodec.classicAddressToXAddress(account(), false, false),
        addressCodec.classicAddressToXAddress(account(), int(0, 100), true),
        account().toLowerCase(),
        hex(20),
        'rrrrrrrrrrrrrrrrrrrrrhoLvTp',
        '',
      ]),
    amount: () =>
      pick([
        () => pick(['1', '0', '-1', '1.0', '1e3', '100000000000000001', ' 1', '+5', 1, '0.000001']),
        () => ({
          currency: pick(['USD', 'usd', 'XRP', 'xrp', 'US', 'USDT', 'U-D', hex(20).toLowerCase(), '0'.repeat(40), hex(20), 'éab']),
          issuer: pick([issuer, account(), 'rrrrrrrrrrrrrrrrrrrrrhoLvTp']),
          value: pick(['1', '-1', '0', '1.5', '.5', '1.', '1e-81', '1e-97', '1e97', '12345678901234567', '1234567890123456', 1, '0x1', ' 2']),
        }),
        () => ({ currency: 'USD', issuer, value: '1', extra: 1 }),
        () => ({ currency: 'USD', value: '1' }),
        () => ({ mpt_issuance_id: hex(24), value: '1' }),
      ])(),
  }
  const fields = {
    Flags: odd.number, SourceTag: odd.number, Sequence: odd.number, DestinationTag: odd.number,
    LastLedgerSequence: odd.number, QualityIn: odd.number, SetFlag: odd.number, TransferRate: odd.number,
    TickSize: () => pick([0, 15, 255, 256, -1, '5']), NetworkID: odd.number,
    InvoiceID: () => odd.hash(32), EmailHash: () => odd.hash(16), AccountTxnID: () => odd.hash(32),
    Amount: odd.amount, SendMax: odd.amount, DeliverMin: odd.amount, LimitAmount: odd.amount, Fee: odd.amount,
    Domain: odd.blob, SigningPubKey: odd.blob, TxnSignature: odd.blob, MessageKey: odd.blob,
    Account: odd.address, Destination: odd.address,
    Memos: () => pick([[], [{ Memo: { MemoData: hex(3) } }], [{ Memo: {} }], [{ Memo: { MemoData: hex(2) }, Extra: 1 }], [{ Memos: [] }], [{ Memo: { MemoData: 'zz' } }], {}]),
    TransactionType: () => pick(['Payment', 'payment', 'OfferCreate', 'TrustSet', 'AccountSet', 0, 20]),
    Paths: () => [],
    Unknown: () => 1,
  }
  const names = Object.keys(fields)
  for (let i = 0; i < count; i++) {
    const tx = {
      TransactionType: pick(['Payment', 'TrustSet', 'AccountSet']),
      Account: account(),
      Fee: '12',
      Sequence: int(1, 1000),
    }
    if (tx.TransactionType === 'Payment') {
      tx.Destination = account()
      tx.Amount = String(int(1, 1000000))
    }
    if (tx.TransactionType === 'TrustSet') tx.LimitAmount = { currency: 'USD', issuer, value: '100' }
    const k = int(1, 2)
    for (let j = 0; j < k; j++) {
      const name = pick(names)
      tx[name] = fields[name]()
    }
    let blob = null
    let note
    try {
      blob = codec.encode(tx)
    } catch (e) {
      // ripple-binary-codec's HEX_REGEX wants a 40-hex currency in uppercase; rippled (and
      // we) take either case: compare with its encoding of the uppercase spelling.
      const upper = JSON.parse(JSON.stringify(tx))
      let changed = false
      for (const f of AMOUNT_FIELDS) {
        const a = upper[f]
        if (a && typeof a === 'object' && typeof a.currency === 'string' && /^[0-9a-fA-F]{40}$/.test(a.currency) && /[a-f]/.test(a.currency)) {
          a.currency = a.currency.toUpperCase()
          changed = true
        }
      }
      if (changed) {
        try {
          blob = codec.encode(upper)
          note = 'lowercase hex currency: ripple-binary-codec encoding of the uppercase spelling'
        } catch (e2) {
          blob = null
        }
      }
    }
    console.log(JSON.stringify({ json: tx, ripple_blob: blob, note }))
  }
}

const args = process.argv.slice(2)
if (args[0] === '--emit') {
  emit(Number(args[1] || 300))
} else if (args[0] === '--emit-dir') {
  emitDir(args[1])
} else if (args[0] === '--emit-json') {
  emitJson(Number(args[1] || 2000))
} else if (args[0] === '--emit-sigs') {
  emitSigs(Number(args[1] || 200))
} else if (args[0] === '--emit-texts') {
  emitTexts(Number(args[1] || 2000))
} else {
  crosscheck().catch((e) => {
    console.log(`crosscheck: ${e.stack}`)
    process.exit(1)
  })
}

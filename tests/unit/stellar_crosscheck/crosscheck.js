#!/usr/bin/env node
// The cross-check of og::stellar against the Stellar SDK (ctest unit.stellar_crosscheck,
// unit.stellar_crosscheck_decode). Uses only tests/doubles/node_modules (@stellar/stellar-sdk,
// pinned in tests/doubles/package.json).
//
//   stellar_samples | node crosscheck.js
//       each line of stellar_samples (tests/unit/stellar_crosscheck/samples.cpp) is checked
//       by the SDK: TransactionBuilder.fromXDR(envelope, passphrase) gives the fields we
//       encoded (source, fee, sequence, time bounds, memo type and value, every operation:
//       payments native / credit_alphanum4 / credit_alphanum12 with issuer, change trust with
//       its limit, operation sources, muxed M... accounts), re-encodes to the same bytes,
//       tx.hash() is our hash, the signature verifies with Keypair.fromPublicKey(..).verify
//       and is the one Keypair.fromSecret(seed).sign gives (Ed25519 is deterministic), the
//       hint is the key's last 4 bytes; the seed, account id and M... strkeys agree with
//       StrKey and MuxedAccount. Prints one line per mismatch (never a seed), exits 1 on any.
//   node crosscheck.js --emit N
//       N JSON lines {"envelope", "passphrase", "hash", "signer", "tx"}: random transactions
//       of the kinds og::stellar supports, built and signed by the SDK's TransactionBuilder
//       and Keypair (a fixed PRNG seed), for `stellar_samples --decode`.
'use strict'

const path = require('path')
const readline = require('readline')
const util = require('util')

const modules = path.join(__dirname, '..', '..', 'doubles', 'node_modules')
const sdk = require(path.join(modules, '@stellar', 'stellar-sdk'))
const { Keypair, StrKey, TransactionBuilder, Transaction, Account, MuxedAccount, Asset, Memo, Operation, xdr } = sdk

// ---- The shared shape of a transaction's fields (samples.cpp fields() writes the same).
function assetOf(a) {
  if (a.isNative()) return { type: 'native' }
  return { type: a.getAssetType(), code: a.getCode(), issuer: a.getIssuer() }
}

// The asset type as the XDR union arm says it (Asset.getAssetType() goes by the length of
// the code, so a 4-character code sent as CREDIT_ALPHANUM12 would read as alphanum4).
const ARM = { assetTypeNative: 'native', assetTypeCreditAlphanum4: 'credit_alphanum4', assetTypeCreditAlphanum12: 'credit_alphanum12' }
function rawAssetTypes(tx) {
  return tx.tx.operations().map((op) => {
    const body = op.body()
    const name = body.switch().name
    if (name === 'payment') return ARM[body.paymentOp().asset().switch().name]
    if (name === 'changeTrust') return ARM[body.changeTrustOp().line().switch().name]
    return name
  })
}

// The operation as the SDK itself builds it from the fields we say we encoded: its XDR must
// be ours byte for byte (padding, union arms, amounts).
function sdkOperation(o) {
  if (!o.asset) return sdkOtherOperation(o)
  const asset = o.asset.type === 'native' ? Asset.native() : new Asset(o.asset.code, o.asset.issuer)
  const extra = o.source ? { source: o.source } : {}
  if (o.type === 'payment') return Operation.payment({ destination: o.destination, asset, amount: o.amount, ...extra })
  return Operation.changeTrust({ asset, limit: o.limit, ...extra })
}
function sdkOtherOperation(o) {
  const extra = o.source ? { source: o.source } : {}
  if (o.type === 'create_account') return Operation.createAccount({ destination: o.destination, startingBalance: o.starting_balance, ...extra })
  return Operation.manageData({ name: o.name, value: o.value_hex === null ? null : Buffer.from(o.value_hex, 'hex'), ...extra })
}

function memoOf(m) {
  switch (m.type) {
    case 'none': return { type: 'none' }
    case 'text': return { type: 'text', hex: Buffer.from(m.value).toString('hex') }
    case 'id': return { type: 'id', id: String(m.value) }
    case 'hash': return { type: 'hash', hex: Buffer.from(m.value).toString('hex') }
    default: return { type: m.type, hex: m.value ? Buffer.from(m.value).toString('hex') : null }
  }
}

function fieldsOf(tx) {
  const tb = tx.timeBounds
  return {
    source: tx.source,
    fee: String(tx.fee),
    seq: String(tx.sequence),
    time_bounds: tb ? { min: String(tb.minTime), max: String(tb.maxTime) } : null,
    memo: memoOf(tx.memo),
    operations: tx.operations.map((op) => {
      const o = { source: op.source === undefined ? null : op.source }
      if (op.type === 'payment') {
        o.type = 'payment'
        o.destination = op.destination
        o.asset = assetOf(op.asset)
        o.amount = op.amount
      } else if (op.type === 'changeTrust') {
        o.type = 'change_trust'
        o.asset = assetOf(op.line)
        o.limit = op.limit
      } else if (op.type === 'createAccount') {
        o.type = 'create_account'
        o.destination = op.destination
        o.starting_balance = op.startingBalance
      } else if (op.type === 'manageData') {
        o.type = 'manage_data'
        o.name = op.name
        o.value_hex = op.value === undefined || op.value === null ? null : Buffer.from(op.value).toString('hex')
      } else {
        o.type = op.type
      }
      return o
    }),
  }
}

// Keys in a fixed order, so that two shapes compare by value only.
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k])
    return out
  }
  return v
}
const same = (a, b) => util.isDeepStrictEqual(canonical(a), canonical(b))

// ---- stellar_samples | node crosscheck.js
async function check() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  let n = 0
  let failures = 0
  const counts = { ops: 0, payment: 0, change_trust: 0, create_account: 0, manage_data: 0, native: 0, credit_alphanum4: 0, credit_alphanum12: 0, muxed: 0, memo: {}, precond_none: 0 }
  for await (const text of rl) {
    if (!text.trim()) continue
    n++
    let s
    const fail = (what) => {
      failures++
      if (failures <= 50) console.log(`FAIL sample ${n}${s ? ' (' + s.account_id + ')' : ''}: ${what}`)
    }
    try {
      s = JSON.parse(text)
      // Keys and strkeys.
      const kp = Keypair.fromSecret(s.seed)
      if (kp.publicKey() !== s.account_id) fail(`Keypair.fromSecret(seed).publicKey() ${kp.publicKey()} != our account id`)
      const raw = Keypair.fromRawEd25519Seed(Buffer.from(s.seed_hex, 'hex'))
      if (raw.secret() !== s.seed) fail('Keypair.fromRawEd25519Seed(seed bytes).secret() != our S... seed')
      if (StrKey.encodeEd25519SecretSeed(Buffer.from(s.seed_hex, 'hex')) !== s.seed) fail('StrKey.encodeEd25519SecretSeed differs from our seed strkey')
      if (StrKey.encodeEd25519PublicKey(Buffer.from(s.public_key_hex, 'hex')) !== s.account_id) fail('StrKey.encodeEd25519PublicKey differs from our account id')
      if (Buffer.from(StrKey.decodeEd25519PublicKey(s.account_id)).toString('hex') !== s.public_key_hex) fail('StrKey.decodeEd25519PublicKey differs')
      if (!StrKey.isValidEd25519PublicKey(s.account_id) || !StrKey.isValidEd25519SecretSeed(s.seed)) fail('StrKey.isValid* refuses our strkeys')
      for (const m of s.muxed) {
        counts.muxed++
        const id = Buffer.alloc(8)
        id.writeBigUInt64BE(BigInt(m.id))
        const theirs = StrKey.encodeMed25519PublicKey(Buffer.concat([Buffer.from(m.key_hex, 'hex'), id]))
        if (theirs !== m.strkey) fail(`StrKey.encodeMed25519PublicKey ${theirs} != ours ${m.strkey}`)
        if (!StrKey.isValidMed25519PublicKey(m.strkey)) fail(`StrKey.isValidMed25519PublicKey refuses ${m.strkey}`)
        const ma = MuxedAccount.fromAddress(m.strkey, '0')
        if (ma.id() !== m.id) fail(`MuxedAccount id ${ma.id()} != ${m.id}`)
        if (ma.baseAccount().accountId() !== StrKey.encodeEd25519PublicKey(Buffer.from(m.key_hex, 'hex'))) fail('MuxedAccount base account differs')
      }
      // The envelope.
      const tx = TransactionBuilder.fromXDR(s.envelope, s.passphrase)
      if (!(tx instanceof Transaction)) { fail('not a Transaction (fee bump?)'); continue }
      if (tx.toEnvelope().switch().name !== 'envelopeTypeTx') fail(`envelope type ${tx.toEnvelope().switch().name}`)
      const theirs = fieldsOf(tx)
      if (!same(theirs, s.tx)) fail(`fields: SDK ${JSON.stringify(theirs)}\n  ours ${JSON.stringify(s.tx)}`)
      if (tx.toEnvelope().toXDR('base64') !== s.envelope) fail('the SDK re-encodes our envelope to other bytes')
      const arms = rawAssetTypes(tx)
      s.tx.operations.forEach((o, k) => {
        if (o.asset && arms[k] !== o.asset.type) fail(`operation ${k}: XDR asset arm ${arms[k]}, we said ${o.asset.type}`)
        let built
        try { built = sdkOperation(o).toXDR('hex') } catch (e) { fail(`operation ${k}: the SDK will not build ${JSON.stringify(o)}: ${e.message}`); return }
        const ours = tx.tx.operations()[k].toXDR('hex')
        if (built !== ours) fail(`operation ${k}: the SDK builds ${built}, we encoded ${ours}`)
      })
      // The transaction body rebuilt from its parts with the SDK's XDR types.
      const m = s.tx.memo
      const memo = m.type === 'none' ? Memo.none() : m.type === 'text' ? Memo.text(Buffer.from(m.hex, 'hex')) : m.type === 'id' ? Memo.id(m.id) : Memo.hash(m.hex)
      if (memo.toXDRObject().toXDR('hex') !== tx.tx.memo().toXDR('hex')) fail('memo: the SDK builds other bytes')
      const hash = tx.hash()
      if (hash.toString('hex') !== s.hash) fail(`tx.hash() ${hash.toString('hex')} != our hash ${s.hash}`)
      if (tx.signatures.length !== 1) { fail(`${tx.signatures.length} signatures`); continue }
      const sig = tx.signatures[0]
      if (Buffer.from(sig.hint()).toString('hex') !== s.public_key_hex.slice(56)) fail('signature hint is not the last 4 bytes of the key')
      if (Buffer.from(sig.hint()).toString('hex') !== s.hint) fail('signature hint differs')
      if (Buffer.from(sig.signature()).toString('hex') !== s.signature) fail('signature bytes differ from the line')
      if (!Keypair.fromPublicKey(s.account_id).verify(hash, sig.signature())) fail('Keypair.verify(tx.hash(), signature) is false')
      if (Buffer.from(kp.sign(hash)).toString('hex') !== s.signature) fail('Keypair.fromSecret(seed).sign(tx.hash()) differs from our signature')
      // Statistics, so that a run that covers nothing shows it.
      if (!tx.timeBounds) counts.precond_none++
      counts.memo[tx.memo.type] = (counts.memo[tx.memo.type] || 0) + 1
      for (const op of s.tx.operations) {
        counts.ops++
        counts[op.type]++
        if (op.asset) counts[op.asset.type]++
      }
    } catch (e) {
      fail(`exception: ${e && e.message}`)
    }
  }
  console.log(`crosscheck.js: ${n} samples, ${failures} failures; ${JSON.stringify(counts)}`)
  if (n < 100) { console.log('crosscheck.js: fewer than 100 samples'); return 1 }
  if (!counts.payment || !counts.change_trust || !counts.create_account || !counts.manage_data || !counts.native || !counts.credit_alphanum4 || !counts.credit_alphanum12 || !counts.muxed || !counts.precond_none) {
    console.log('crosscheck.js: a kind of field was never sampled'); return 1
  }
  return failures === 0 ? 0 : 1
}

// ---- node crosscheck.js --emit N
function rng(seed) {
  let s = BigInt(seed)
  const M = (1n << 64n) - 1n
  const next = () => {
    s = (s + 0x9E3779B97F4A7C15n) & M
    let z = s
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M
    return z ^ (z >> 31n)
  }
  const below = (n) => Number(next() % BigInt(n))
  return {
    next,
    below,
    chance: (p) => below(100) < p,
    bytes: (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = Number(next() & 0xFFn); return b },
  }
}

const MAX_I64 = (1n << 63n) - 1n
function amountText(stroops) {
  const s = stroops.toString().padStart(8, '0')
  return `${s.slice(0, -7)}.${s.slice(-7)}`
}

function emit(count) {
  const r = rng(0x484F52495A4F4En)  // "HORIZON"
  const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const randomKey = () => StrKey.encodeEd25519PublicKey(r.bytes(32))
  const randomAddress = () => {
    if (!r.chance(30)) return randomKey()
    return StrKey.encodeMed25519PublicKey(r.bytes(40))
  }
  const randomCredit = () => {
    const len = [1, 4, 5, 12][r.below(4)] || 1
    const n = r.chance(50) ? len : 1 + r.below(12)
    let code = ''
    for (let i = 0; i < n; i++) code += CODE[r.below(CODE.length)]
    return new Asset(code, randomKey())
  }
  const randomAmount = (zero) => {
    switch (r.below(8)) {
      case 0: return zero ? 0n : 1n
      case 1: return 1n
      case 2: return MAX_I64
      case 3: return BigInt(1 + r.below(100000)) * 10000000n
      default: return 1n + (r.next() >> 1n) % MAX_I64
    }
  }
  for (let i = 0; i < count; i++) {
    const kp = Keypair.fromRawEd25519Seed(r.bytes(32))
    const passphrase = [sdk.Networks.TESTNET, sdk.Networks.PUBLIC, 'Omnigate SDK emit ; ' + i][r.below(3)]
    // The builder's source: the account at sequence seq - 1 (it increments).
    const seq = r.chance(20) ? MAX_I64 : r.chance(20) ? 1n : (r.next() >> 1n)
    const account = new Account(kp.publicKey(), (seq - 1n).toString())
    let source = account
    if (r.chance(30)) source = new MuxedAccount(account, (r.next()).toString())
    const nops = r.chance(5) ? 100 : 1 + r.below(r.chance(70) ? 2 : 8)
    const baseFee = [100, 1, 12345, Math.floor(0xFFFFFFFF / nops)][r.below(4)]
    const b = new TransactionBuilder(source, { fee: String(baseFee), networkPassphrase: passphrase })
    let timeBounds = null
    let precondNone = false
    switch (r.below(4)) {
      case 0: b.setTimeout(0); timeBounds = { min: '0', max: '0' }; break
      case 1: precondNone = true; b.setTimeout(0); break
      default: {
        const now = 1700000000 + r.below(100000000)
        const min = r.chance(50) ? 0 : now - 60
        const max = now + r.below(3600)
        b.setTimebounds(min, max)
        timeBounds = { min: String(min), max: String(max) }
      }
    }
    let memo = { type: 'none' }
    switch (r.below(4)) {
      case 0: {
        const len = r.below(29)
        let t = ''
        for (let k = 0; k < len; k++) t += String.fromCharCode(0x20 + r.below(95))
        b.addMemo(Memo.text(t))
        memo = { type: 'text', hex: Buffer.from(t).toString('hex') }
        break
      }
      case 1: {
        const id = r.chance(20) ? ((1n << 64n) - 1n).toString() : r.next().toString()
        b.addMemo(Memo.id(id))
        memo = { type: 'id', id }
        break
      }
      case 2: {
        const h = r.bytes(32)
        b.addMemo(Memo.hash(h))
        memo = { type: 'hash', hex: h.toString('hex') }
        break
      }
      default: break
    }
    const ops = []
    for (let k = 0; k < nops; k++) {
      const opSource = r.chance(15) ? randomAddress() : null
      const extra = opSource ? { source: opSource } : {}
      const kind = r.below(10)
      if (kind === 8) {
        const destination = randomKey()
        const startingBalance = amountText(randomAmount(false))
        b.addOperation(Operation.createAccount({ destination, startingBalance, ...extra }))
        ops.push({ source: opSource, type: 'create_account', destination, starting_balance: startingBalance })
      } else if (kind === 9) {
        const NAME = 'abcdefghijklmnopqrstuvwxyz0123456789._-'
        const len = 1 + r.below(64)
        let name = ''
        for (let c = 0; c < len; c++) name += NAME[r.below(NAME.length)]
        const value = r.chance(20) ? null : r.bytes(r.below(65))
        b.addOperation(Operation.manageData({ name, value, ...extra }))
        ops.push({ source: opSource, type: 'manage_data', name, value_hex: value === null ? null : value.toString('hex') })
      } else if (kind < 6) {
        const destination = randomAddress()
        const asset = r.chance(40) ? Asset.native() : randomCredit()
        const amount = amountText(randomAmount(false))
        b.addOperation(Operation.payment({ destination, asset, amount, ...extra }))
        ops.push({ source: opSource, type: 'payment', destination, asset: assetOf(asset), amount })
      } else {
        const asset = randomCredit()
        const omitLimit = r.chance(20)
        const limit = omitLimit ? amountText(MAX_I64) : amountText(randomAmount(true))
        b.addOperation(Operation.changeTrust(omitLimit ? { asset, ...extra } : { asset, limit, ...extra }))
        ops.push({ source: opSource, type: 'change_trust', asset: assetOf(asset), limit })
      }
    }
    let tx = b.build()
    if (precondNone) {
      const env = tx.toEnvelope()
      env.v1().tx().cond(xdr.Preconditions.precondNone())
      tx = new Transaction(env, passphrase)
    }
    tx.sign(kp)
    const expected = {
      source: source.accountId(),
      fee: String(baseFee * nops),
      seq: seq.toString(),
      time_bounds: timeBounds,
      memo,
      operations: ops,
    }
    // The generator's own sanity: the SDK reads back what it was given.
    const back = TransactionBuilder.fromXDR(tx.toXDR(), passphrase)
    if (!same(fieldsOf(back), expected)) {
      console.error(`crosscheck.js --emit: the SDK does not read back transaction ${i}:\n  ${JSON.stringify(fieldsOf(back))}\n  ${JSON.stringify(expected)}`)
      process.exit(2)
    }
    console.log(JSON.stringify({ envelope: tx.toXDR(), passphrase, hash: tx.hash().toString('hex'), signer: kp.publicKey(), tx: expected }))
  }
}

const args = process.argv.slice(2)
if (args[0] === '--emit') {
  emit(Number(args[1] || 300))
} else {
  check().then((rc) => process.exit(rc), (e) => { console.log(`crosscheck.js: ${e.stack}`); process.exit(1) })
}

'use strict';
// The Horizon double's ledger: accounts (XLM in stroops, trust lines, data entries,
// sequence numbers), the open ledger that transactions are applied into, and the closed
// ledgers Horizon's GET endpoints read. Transactions are decoded, their signatures checked
// and their results written with @stellar/stellar-sdk (its XDR types, Keypair, StrKey).

const crypto = require('crypto');
const sdk = require('@stellar/stellar-sdk');
const { xdr, Keypair, StrKey, MuxedAccount, TransactionBuilder, Transaction, FeeBumpTransaction, Account, Asset, Memo, Operation } = sdk;

const MAX_I64 = (1n << 63n) - 1n;
const STROOPS = 10000000n;

// "12.3456789" (at most 7 decimals, no sign) -> 123456789n; null when it is not that.
function toStroops(text) {
  if (typeof text === 'number') text = String(text);
  if (typeof text !== 'string' || !/^\d+(\.\d{1,7})?$/.test(text)) return null;
  const [i, f = ''] = text.split('.');
  const v = BigInt(i) * STROOPS + BigInt(f.padEnd(7, '0'));
  return v > MAX_I64 ? null : v;
}
// Always 7 decimals, as Horizon writes amounts.
function amountText(stroops) {
  const s = stroops.toString().padStart(8, '0');
  return `${s.slice(0, -7)}.${s.slice(-7)}`;
}

// The G... account under a G... or M... address, with the muxed id when there is one.
function baseAddress(address) {
  if (StrKey.isValidMed25519PublicKey(address)) {
    const m = MuxedAccount.fromAddress(address, '0');
    return { account: m.baseAccount().accountId(), muxed: address, muxedId: m.id() };
  }
  return { account: address, muxed: null, muxedId: null };
}

function assetKey(asset) { return asset.isNative() ? 'native' : `${asset.getCode()}:${asset.getIssuer()}`; }
function assetFields(asset) {
  if (asset.isNative()) return { asset_type: 'native' };
  return { asset_type: asset.getAssetType(), asset_code: asset.getCode(), asset_issuer: asset.getIssuer() };
}
// "native", "XLM" or "CODE:ISSUER" -> Asset; throws on anything else.
function parseAsset(text) {
  if (text === undefined || text === null || text === 'native' || text === 'XLM') return Asset.native();
  const m = /^([A-Za-z0-9]{1,12}):(G[A-Z2-7]{55})$/.exec(String(text));
  if (!m || !StrKey.isValidEd25519PublicKey(m[2])) throw new Error(`bad asset ${JSON.stringify(text)} (want "CODE:ISSUER")`);
  return new Asset(m[1], m[2]);
}

// Horizon's result code strings -> the XDR result arms.
const TX_ARM = {
  tx_success: 'txSuccess', tx_failed: 'txFailed', tx_too_early: 'txTooEarly', tx_too_late: 'txTooLate',
  tx_missing_operation: 'txMissingOperation', tx_bad_seq: 'txBadSeq', tx_bad_auth: 'txBadAuth',
  tx_insufficient_balance: 'txInsufficientBalance', tx_no_source_account: 'txNoAccount',
  tx_insufficient_fee: 'txInsufficientFee', tx_bad_auth_extra: 'txBadAuthExtra', tx_not_supported: 'txNotSupported',
  tx_malformed: 'txMalformed',
};
const OP_ARM = {
  payment: { op_success: 'paymentSuccess', op_malformed: 'paymentMalformed', op_underfunded: 'paymentUnderfunded', op_src_no_trust: 'paymentSrcNoTrust', op_no_destination: 'paymentNoDestination', op_no_trust: 'paymentNoTrust', op_line_full: 'paymentLineFull', op_no_issuer: 'paymentNoIssuer' },
  changeTrust: { op_success: 'changeTrustSuccess', op_malformed: 'changeTrustMalformed', op_invalid_limit: 'changeTrustInvalidLimit', op_low_reserve: 'changeTrustLowReserve', op_self_not_allowed: 'changeTrustSelfNotAllowed', op_no_issuer: 'changeTrustNoIssuer' },
  createAccount: { op_success: 'createAccountSuccess', op_malformed: 'createAccountMalformed', op_underfunded: 'createAccountUnderfunded', op_low_reserve: 'createAccountLowReserve', op_already_exists: 'createAccountAlreadyExist' },
  manageData: { op_success: 'manageDataSuccess', op_name_not_found: 'manageDataNameNotFound', op_low_reserve: 'manageDataLowReserve', op_invalid_name: 'manageDataInvalidName' },
};
const TR_ARM = { payment: 'payment', changeTrust: 'changeTrust', createAccount: 'createAccount', manageData: 'manageData' };

function resultXdr(feeCharged, txCode, opResults) {
  let result;
  if (txCode === 'tx_success' || txCode === 'tx_failed') {
    const ops = opResults.map(({ type, code }) => {
      if (code === 'op_not_supported') return xdr.OperationResult.opNotSupported();
      return xdr.OperationResult.opInner(xdr.OperationResultTr[TR_ARM[type]](xdr[`${type[0].toUpperCase()}${type.slice(1)}Result`][OP_ARM[type][code]]()));
    });
    result = xdr.TransactionResultResult[TX_ARM[txCode]](ops);
  } else {
    result = xdr.TransactionResultResult[TX_ARM[txCode]]();
  }
  return new xdr.TransactionResult({ feeCharged: xdr.Int64.fromString(String(feeCharged)), result, ext: new xdr.TransactionResultExt(0) }).toXDR('base64');
}

class TxError extends Error {
  constructor(code, fee = 0n, ops = null) { super(code); this.code = code; this.fee = fee; this.ops = ops; }
}

function cloneAccount(a) {
  return { ...a, lines: new Map([...a.lines].map(([k, v]) => [k, { ...v }])), data: new Map(a.data) };
}

class Ledger {
  constructor({ passphrase, baseFee = 100n, baseReserve = 5000000n }) {
    this.passphrase = passphrase;
    this.baseFee = BigInt(baseFee);
    this.baseReserve = BigInt(baseReserve);
    this.root = Keypair.master(passphrase).publicKey(); // the network's root account: funds `fund`
    this.clockOffset = 0; // seconds, control advance_time
    this.closedSeq = 1;   // ledger 1: genesis
    this.closedAt = this.now();
    this.ledgers = [{ sequence: 1, closed_at: this.closedAt, tx_count: 0, op_count: 0, hash: crypto.createHash('sha256').update(`genesis ${passphrase}`).digest('hex') }];
    this.open = new Map();     // address -> account: the open ledger, where transactions apply
    this.closed = new Map();   // the last closed ledger: what GET /accounts reads
    this.pending = [];         // transactions in the open ledger, in order
    this.history = [];         // transactions of closed ledgers, in order
    this.byHash = new Map();   // hash -> transaction record (open or closed)
    this.payments = [];        // payment / create_account records of closed ledgers, by id
    this.waiters = [];         // submissions waiting for the open ledger to close
    this.createAccount(this.open, this.root, MAX_I64 / 2n, 1);
    this.closed = new Map([...this.open].map(([k, v]) => [k, cloneAccount(v)]));
  }

  now() { return Math.floor(Date.now() / 1000) + this.clockOffset; }
  get openSeq() { return this.closedSeq + 1; }

  createAccount(state, id, balance, ledger) {
    const a = { id, balance: BigInt(balance), seq: BigInt(ledger) << 32n, lines: new Map(), data: new Map(), subentries: 0, lastModified: ledger };
    state.set(id, a);
    return a;
  }
  minBalance(a, extra = 0) { return BigInt(2 + a.subentries + extra) * this.baseReserve; }

  // ---- Applying operations to a scratch copy of the open state. Each returns an op code.
  applyOp(state, op, txSource, ledger) {
    const src = baseAddress(op.source || txSource);
    const source = state.get(src.account);
    const touch = (a) => { a.lastModified = ledger; };
    if (!source) return 'op_no_source_account';
    switch (op.type) {
      case 'payment': {
        const amount = toStroops(op.amount);
        const dst = baseAddress(op.destination);
        if (!amount || amount <= 0n) return 'op_malformed';
        const dest = state.get(dst.account);
        if (!dest) return 'op_no_destination';
        const key = assetKey(op.asset);
        if (op.asset.isNative()) {
          if (source.balance - amount < this.minBalance(source)) return 'op_underfunded';
          if (dest.balance + amount > MAX_I64 && dest !== source) return 'op_line_full';
          source.balance -= amount;
          dest.balance += amount;
        } else {
          const issuer = op.asset.getIssuer();
          let fromLine = null;
          if (src.account !== issuer) {
            fromLine = source.lines.get(key);
            if (!fromLine) return 'op_src_no_trust';
            if (fromLine.balance < amount) return 'op_underfunded';
          }
          let toLine = null;
          if (dst.account !== issuer) {
            toLine = dest.lines.get(key);
            if (!toLine) return 'op_no_trust';
            if (toLine.balance + amount > toLine.limit && fromLine !== toLine) return 'op_line_full';
          }
          if (fromLine) { fromLine.balance -= amount; fromLine.lastModified = ledger; }
          if (toLine) { toLine.balance += amount; toLine.lastModified = ledger; }
        }
        touch(source); touch(dest);
        return 'op_success';
      }
      case 'createAccount': {
        const amount = toStroops(op.startingBalance);
        if (amount === null || amount <= 0n || !StrKey.isValidEd25519PublicKey(op.destination)) return 'op_malformed';
        if (state.has(op.destination)) return 'op_already_exists';
        if (amount < 2n * this.baseReserve) return 'op_low_reserve';
        if (source.balance - amount < this.minBalance(source)) return 'op_underfunded';
        source.balance -= amount;
        touch(source);
        this.createAccount(state, op.destination, amount, ledger);
        return 'op_success';
      }
      case 'changeTrust': {
        const asset = op.line;
        if (!(asset instanceof Asset) || asset.isNative()) return 'op_malformed';
        const limit = toStroops(op.limit);
        if (limit === null) return 'op_malformed';
        if (asset.getIssuer() === src.account) return 'op_self_not_allowed';
        const key = assetKey(asset);
        const line = source.lines.get(key);
        if (limit === 0n) {
          if (!line) return 'op_invalid_limit';
          if (line.balance > 0n) return 'op_invalid_limit';
          source.lines.delete(key);
          source.subentries -= 1;
        } else if (line) {
          if (limit < line.balance) return 'op_invalid_limit';
          line.limit = limit;
          line.lastModified = ledger;
        } else {
          if (source.balance < this.minBalance(source, 1)) return 'op_low_reserve';
          source.lines.set(key, { asset, balance: 0n, limit, lastModified: ledger });
          source.subentries += 1;
        }
        touch(source);
        return 'op_success';
      }
      case 'manageData': {
        const name = op.name;
        if (typeof name !== 'string' || name.length < 1 || name.length > 64) return 'op_invalid_name';
        const has = source.data.has(name);
        if (op.value === undefined || op.value === null) {
          if (!has) return 'op_name_not_found';
          source.data.delete(name);
          source.subentries -= 1;
        } else {
          if (!has) {
            if (source.balance < this.minBalance(source, 1)) return 'op_low_reserve';
            source.subentries += 1;
          }
          source.data.set(name, Buffer.from(op.value));
        }
        touch(source);
        return 'op_success';
      }
      default:
        return 'op_not_supported';
    }
  }

  // A copy of the accounts a transaction may touch, so that a failed one leaves nothing.
  scratch() { return new Map([...this.open].map(([k, v]) => [k, cloneAccount(v)])); }

  // ---- POST /transactions: decode, check, apply into the open ledger. Returns the record
  // (new or, for a hash already seen, the recorded one: never applied twice), or throws
  // TxError for a transaction that does not get into a ledger.
  submit(envelopeB64) {
    let tx;
    try {
      tx = TransactionBuilder.fromXDR(envelopeB64, this.passphrase);
    } catch (e) {
      const err = new TxError('malformed'); err.detail = e.message; throw err;
    }
    if (tx instanceof FeeBumpTransaction) throw new TxError('tx_not_supported');
    const hash = tx.hash().toString('hex');
    const seen = this.byHash.get(hash);
    if (seen) return { record: seen, duplicate: true };
    const src = baseAddress(tx.source);
    const ops = tx.operations;
    const source = this.open.get(src.account);
    if (ops.length === 0) throw new TxError('tx_missing_operation');
    if (!source) throw new TxError('tx_no_source_account');
    // Signatures: master keys only; every signature must belong to an account that has to
    // sign (the transaction's source, the sources of its operations), each of those once.
    const needed = new Set([src.account, ...ops.filter((o) => o.source).map((o) => baseAddress(o.source).account)]);
    const signedBy = new Set();
    for (const sig of tx.signatures) {
      let who = null;
      for (const k of needed) {
        const kp = Keypair.fromPublicKey(k);
        if (Buffer.compare(kp.signatureHint(), sig.hint()) === 0 && kp.verify(tx.hash(), sig.signature())) { who = k; break; }
      }
      if (!who) { signedBy.add(null); continue; }
      signedBy.add(who);
    }
    const feeCharged = this.baseFee * BigInt(ops.length);
    const seq = BigInt(tx.sequence);
    if (seq !== source.seq + 1n) throw new TxError('tx_bad_seq');
    const now = this.now();
    const tb = tx.timeBounds;
    if (tb && BigInt(tb.minTime) > BigInt(now)) throw new TxError('tx_too_early');
    if (tb && BigInt(tb.maxTime) !== 0n && BigInt(tb.maxTime) < BigInt(now)) throw new TxError('tx_too_late');
    if (BigInt(tx.fee) < feeCharged) throw new TxError('tx_insufficient_fee');
    for (const k of needed) if (!signedBy.has(k)) throw new TxError('tx_bad_auth');
    if (signedBy.has(null)) throw new TxError('tx_bad_auth_extra');
    if (source.balance - feeCharged < 0n) throw new TxError('tx_insufficient_balance');
    // In the ledger from here on: the fee is charged and the sequence used, whatever the
    // operations do (tx_failed is recorded, as in Stellar).
    const ledger = this.openSeq;
    source.balance -= feeCharged; // first, as Stellar charges it
    source.seq = seq;
    source.lastModified = ledger;
    const state = this.scratch();
    const results = ops.map((op) => ({ type: op.type, code: this.applyOp(state, op, tx.source, ledger) }));
    const ok = results.every((r) => r.code === 'op_success');
    if (ok) this.open = state;
    return { record: this.record({ tx, hash, envelopeB64, feeCharged, ok, results, via: 'submit' }), duplicate: false };
  }

  // A transaction that is in the open ledger; its payment records get their ids now.
  record({ tx, hash, envelopeB64, feeCharged, ok, results, via }) {
    const ledger = this.openSeq;
    const txIndex = this.pending.length + 1;
    const toid = (BigInt(ledger) << 32n) | (BigInt(txIndex) << 12n);
    const memo = tx.memo;
    const rec = {
      hash, ledger, txIndex, id: toid, via,
      successful: ok,
      source: tx.source, source_account: baseAddress(tx.source).account,
      sequence: String(tx.sequence),
      fee_charged: feeCharged, max_fee: String(tx.fee),
      operation_count: tx.operations.length,
      envelope_xdr: envelopeB64,
      result_xdr: resultXdr(feeCharged, ok ? 'tx_success' : 'tx_failed', results),
      result_codes: { transaction: ok ? 'tx_success' : 'tx_failed', operations: results.map((r) => r.code) },
      memo_type: memo.type,
      memo: memo.type === 'none' ? undefined : memo.type === 'text' ? Buffer.from(memo.value).toString('utf8') : memo.type === 'id' ? String(memo.value) : Buffer.from(memo.value).toString('base64'),
      memo_bytes: memo.type === 'text' ? Buffer.from(memo.value).toString('base64') : undefined,
      signatures: tx.signatures.map((s) => s.signature().toString('base64')),
      time_bounds: tx.timeBounds || null,
      ops: tx.operations.map((o) => ({ type: o.type, source: o.source || null, destination: o.destination, amount: o.amount || o.startingBalance, asset: o.asset ? assetKey(o.asset) : o.line ? assetKey(o.line) : undefined, limit: o.limit, name: o.name })),
      closed_at: null,
    };
    // Payment and create_account records, from the operations themselves: a failed
    // transaction's are recorded too, with transaction_successful false (as Horizon does).
    rec.payments = [];
    tx.operations.forEach((o, i) => {
      const source = o.source || tx.source;
      const base = { id: toid | BigInt(i + 1), source, from: baseAddress(source), tx: rec, failed: !ok };
      if (o.type === 'payment') rec.payments.push({ ...base, type: 'payment', type_i: 1, to: baseAddress(o.destination), amount: toStroops(o.amount), asset: o.asset });
      else if (o.type === 'createAccount') rec.payments.push({ ...base, type: 'create_account', type_i: 0, to: baseAddress(o.destination), amount: toStroops(o.startingBalance), asset: Asset.native() });
    });
    this.pending.push(rec);
    this.byHash.set(hash, rec);
    return rec;
  }

  // Closes the open ledger: its transactions, payments and account states become visible.
  close() {
    const seq = this.openSeq;
    const closedAt = Math.max(this.now(), this.closedAt);
    let opCount = 0;
    for (const rec of this.pending) {
      rec.closed_at = closedAt;
      this.history.push(rec);
      opCount += rec.operation_count;
      for (const p of rec.payments) this.payments.push(p);
    }
    this.ledgers.push({ sequence: seq, closed_at: closedAt, tx_count: this.pending.length, op_count: opCount, hash: crypto.createHash('sha256').update(`${seq} ${this.ledgers[this.ledgers.length - 1].hash} ${this.pending.map((r) => r.hash).join(',')}`).digest('hex') });
    this.pending = [];
    this.closedSeq = seq;
    this.closedAt = closedAt;
    this.closed = new Map([...this.open].map(([k, v]) => [k, cloneAccount(v)]));
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(seq);
    return seq;
  }

  // Resolves when the ledger `seq` has closed.
  waitForClose(seq) {
    if (seq <= this.closedSeq) return Promise.resolve(this.closedSeq);
    return new Promise((resolve) => {
      const check = () => { if (seq <= this.closedSeq) resolve(this.closedSeq); else this.waiters.push(check); };
      this.waiters.push(check);
    });
  }

  // ---- The control API's transactions: built with the SDK (unsigned: the outside world,
  // or the network's root account), applied without a signature check.
  controlTx(sourceAddress, ops, memo, { successful = true, fee = this.baseFee } = {}) {
    const src = this.open.get(sourceAddress);
    const b = new TransactionBuilder(new Account(sourceAddress, src.seq.toString()), { fee: String(fee), networkPassphrase: this.passphrase });
    for (const op of ops) b.addOperation(op);
    if (memo) b.addMemo(memo);
    b.setTimeout(0);
    const tx = b.build();
    const hash = tx.hash().toString('hex');
    const feeCharged = BigInt(fee) * BigInt(ops.length);
    const ledger = this.openSeq;
    const state = this.scratch();
    const s0 = state.get(sourceAddress);
    s0.seq += 1n;
    s0.balance -= s0.balance >= feeCharged ? feeCharged : 0n;
    const results = tx.operations.map((op) => ({ type: op.type, code: this.applyOp(state, op, tx.source, ledger) }));
    const applied = results.every((r) => r.code === 'op_success');
    if (successful && !applied) throw new Error(`control transaction fails: ${results.map((r) => r.code).join(', ')}`);
    if (successful) {
      this.open = state;
    } else {
      const s = this.open.get(sourceAddress);
      s.seq += 1n;
      s.balance -= s.balance >= feeCharged ? feeCharged : 0n;
    }
    // successful false: recorded as a failed transaction, its payments with
    // transaction_successful false (Horizon lists them only with include_failed=true).
    const failedResults = successful ? results : results.map((r, i) => ({ type: r.type, code: i === 0 ? (r.type === 'payment' ? 'op_underfunded' : 'op_malformed') : 'op_success' }));
    return this.record({ tx, hash, envelopeB64: tx.toXDR(), feeCharged, ok: successful, results: failedResults, via: 'control' });
  }
}

module.exports = { Ledger, TxError, toStroops, amountText, baseAddress, assetKey, assetFields, parseAsset, resultXdr, MAX_I64, STROOPS, sdk };

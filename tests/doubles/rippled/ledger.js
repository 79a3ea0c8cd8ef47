'use strict';
// A small in-memory XRP Ledger: accounts, trust lines, closed ledgers, an open ledger and a
// queue. Every blob is decoded by ripple-binary-codec and every signature verified by
// ripple-keypairs, so what a client signs is checked by the XRP Ledger's own libraries.
// Rules copied from rippled are marked with the xrpl.org page that documents them.

const crypto = require('crypto');
const codec = require('ripple-binary-codec');
const keypairs = require('ripple-keypairs');
const addr = require('ripple-address-codec');
const { Dec } = require('./decimal');

const GENESIS = { address: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', seed: 'snoPBrXtMeMyMHUVTgbuqAfg1SUTb' };
const TOTAL_DROPS = 100000000000n * 1000000n;
const RIPPLE_EPOCH = 946684800; // https://xrpl.org/docs/references/protocol/data-types/basic-data-types#specifying-time

// Account flags (https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/accountroot#accountroot-flags)
// keyed by AccountSet's asf values (https://xrpl.org/docs/references/protocol/transactions/types/accountset#accountset-flags).
const ASF = { 1: 0x00020000, 2: 0x00040000, 3: 0x00080000, 4: 0x00100000, 6: 0x00200000, 7: 0x00400000, 8: 0x00800000, 9: 0x01000000 };
const lsfRequireDestTag = 0x00020000;
const lsfDefaultRipple = 0x00800000;
const tfPartialPayment = 0x00020000;
const tfSetNoRipple = 0x00020000;
const tfClearNoRipple = 0x00040000;
const tfRequireDestTag = 0x00010000; // AccountSet's legacy transaction flags
const tfOptionalDestTag = 0x00020000;

// Result codes and texts as rippled's TER.cpp has them (https://xrpl.org/docs/references/protocol/transactions/transaction-results).
const TER = {
  tesSUCCESS: [0, 'The transaction was applied. Only final in a validated ledger.'],
  tecPATH_PARTIAL: [101, 'Path could not send full amount.'],
  tecUNFUNDED_PAYMENT: [104, 'Insufficient XRP balance to send.'],
  tecINSUF_RESERVE_LINE: [122, 'Insufficient reserve to add trust line.'],
  tecNO_DST: [124, 'Destination does not exist. Send XRP to create it.'],
  tecNO_DST_INSUF_XRP: [125, 'Destination does not exist. Too little XRP sent to create it.'],
  tecNO_LINE_INSUF_RESERVE: [126, 'No such line. Too little reserve to create it.'],
  tecNO_LINE_REDUNDANT: [127, "Can't set non-existent line to default."],
  tecPATH_DRY: [128, 'Path could not send partial amount.'],
  tecNO_LINE: [135, 'No such line.'],
  tecDST_TAG_NEEDED: [143, 'A destination tag is required.'],
  tefFAILURE: [-199, 'Failed to apply.'],
  tefALREADY: [-198, 'The exact transaction was already in this ledger.'],
  tefBAD_AUTH: [-196, 'Transaction\'s public key is not authorized.'],
  tefPAST_SEQ: [-190, 'This sequence number has already passed.'],
  tefMAX_LEDGER: [-187, 'Ledger sequence too high.'],
  terRETRY: [-99, 'Retry transaction.'],
  terINSUF_FEE_B: [-97, 'Account balance can\'t pay fee.'],
  terNO_ACCOUNT: [-96, 'The source account does not exist.'],
  terPRE_SEQ: [-92, 'Missing/inapplicable prior transaction.'],
  terQUEUED: [-89, 'Held until escalated fee drops.'],
  temMALFORMED: [-299, 'Malformed transaction.'],
  temBAD_AMOUNT: [-298, 'Can only send positive amounts.'],
  temBAD_CURRENCY: [-297, 'Malformed: Bad currency.'],
  temBAD_FEE: [-295, 'Invalid fee, negative or not XRP.'],
  temBAD_LIMIT: [-293, 'Limits must be non-negative.'],
  temBAD_SEND_XRP_MAX: [-287, 'Malformed: Send max is not allowed for XRP to XRP.'],
  temBAD_SEND_XRP_PARTIAL: [-285, 'Malformed: Partial payment is not allowed for XRP to XRP.'],
  temDST_IS_SRC: [-279, 'Destination may not be source.'],
  temDST_NEEDED: [-278, 'Destination not specified.'],
  temINVALID_FLAG: [-276, 'The transaction has an invalid flag.'],
  temREDUNDANT: [-275, 'The transaction is redundant.'],
  temBAD_SIGNATURE: [-282, 'Malformed: Bad signature.'],
  temUNKNOWN: [-264, 'The transaction requires logic that is not implemented yet.'],
  telINSUF_FEE_P: [-394, 'Fee insufficient.'],
  telCAN_NOT_QUEUE: [-392, 'Can not queue at this time.'],
  telCAN_NOT_QUEUE_FULL: [-387, 'Can not queue at this time: The queue is full.'],
  telWRONG_NETWORK: [-386, 'Transaction specifies a Network ID that differs from that of the local node.'],
};
const terInfo = (code) => TER[code] || [-399, code];
const claimed = (r) => r === 'tesSUCCESS' || r.startsWith('tec'); // applied, fee charged

const sha512half = (...bufs) => crypto.createHash('sha512').update(Buffer.concat(bufs)).digest().subarray(0, 32);
const hex = (b) => Buffer.from(b).toString('hex').toUpperCase();
// Transaction ID: SHA-512Half of "TXN\0" and the signed blob (https://xrpl.org/docs/references/protocol/data-types/basic-data-types#hashes).
const txHash = (blob) => hex(sha512half(Buffer.from('54584E00', 'hex'), Buffer.from(blob, 'hex')));
const accountID = (a) => Buffer.from(addr.decodeAccountID(a));
// Ledger entry IDs (https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/accountroot#accountroot-id-format)
const accountIndex = (a) => hex(sha512half(Buffer.from('0061', 'hex'), accountID(a)));
function currency160(c) {
  if (/^[0-9A-Fa-f]{40}$/.test(c)) return Buffer.from(c, 'hex');
  const b = Buffer.alloc(20);
  b.write(c, 12, 'ascii');
  return b;
}
const isXRP = (amt) => typeof amt === 'string';

function cloneState(s) {
  const accounts = new Map();
  for (const [k, v] of s.accounts) accounts.set(k, { ...v });
  const lines = new Map();
  for (const [k, v] of s.lines) lines.set(k, { ...v });
  return { accounts, lines };
}

// A trust line is one RippleState between a low and a high account (ordered by AccountID);
// Balance > 0 means the low account holds the high account's IOUs
// (https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/ripplestate).
function lineKey(a, b, cur) {
  const [lo, hi] = Buffer.compare(accountID(a), accountID(b)) < 0 ? [a, b] : [b, a];
  return { key: `${lo}|${hi}|${cur}`, lo, hi };
}
function side(line, who) {
  const low = line.low === who;
  return {
    peer: low ? line.high : line.low,
    balance: low ? line.balance : line.balance.neg(),
    limit: low ? line.lowLimit : line.highLimit,
    limit_peer: low ? line.highLimit : line.lowLimit,
    no_ripple: low ? line.lowNoRipple : line.highNoRipple,
    no_ripple_peer: low ? line.highNoRipple : line.lowNoRipple,
  };
}
function credit(line, to, amt) { line.balance = line.low === to ? line.balance.add(amt) : line.balance.sub(amt); }

class Ledger {
  constructor(opts) {
    // Reserves: the current Mainnet values, 1 XRP base and 0.2 XRP per owned object
    // (https://xrpl.org/docs/concepts/accounts/reserves); `set` and --reserve-* change them.
    this.opts = { reserve_base: 1000000n, reserve_inc: 200000n, base_fee: 10n, network_id: null, ...opts };
    this.salt = crypto.randomBytes(16);
    const state = { accounts: new Map(), lines: new Map() };
    state.accounts.set(GENESIS.address, this.newAccount(GENESIS.address, TOTAL_DROPS, 1));
    this.ledgers = new Map(); // index -> closed ledger
    this.closedOrder = [];    // indexes of closed ledgers, ascending (gaps when skipped)
    this.txs = new Map();     // hash -> applied transaction record
    this.validationLag = 0;
    this.addLedger(1, '0'.repeat(64), [], state);
    this.resetOpen();
    this.held = [];     // terPRE_SEQ and queued (misbehave terQUEUED) entries: close candidates, retried after every close
    this.limbo = [];    // hold_submissions: accepted, never applied
    // hash -> amount: a partial payment made by the control API delivers exactly this.
    this.forcedDeliver = new Map();
  }
  newAccount(address, balance, seq) {
    return { Account: address, Balance: balance, Flags: 0, OwnerCount: 0, Sequence: seq, index: accountIndex(address), otherFlags: [] };
  }
  addLedger(index, parentHash, txHashes, state) {
    const prev = this.ledgers.get(this.closedOrder[this.closedOrder.length - 1]);
    const close_time = Math.max(Math.floor(Date.now() / 1000) - RIPPLE_EPOCH, prev ? prev.close_time + 1 : 0);
    const hash = hex(sha512half(this.salt, Buffer.from(`${index}|${parentHash}|${txHashes.join(',')}`)));
    let total = 0n;
    for (const a of state.accounts.values()) total += a.Balance;
    this.ledgers.set(index, { index, hash, parent_hash: parentHash, close_time, txHashes, state, total_coins: total });
    this.closedOrder.push(index);
  }
  get lastClosed() { return this.ledgers.get(this.closedOrder[this.closedOrder.length - 1]); }
  get validated() {
    const i = Math.max(0, this.closedOrder.length - 1 - this.validationLag);
    return this.ledgers.get(this.closedOrder[i]);
  }
  get currentIndex() { return this.lastClosed.index + 1; }
  resetOpen() { this.open = cloneState(this.lastClosed.state); this.pending = []; }

  // Ranges of closed, validated ledgers: "1-5,9-12" (server_info complete_ledgers).
  completeLedgers() {
    const v = this.validated.index;
    const idx = this.closedOrder.filter((i) => i <= v);
    const parts = [];
    let start = idx[0], prev = idx[0];
    for (const i of idx.slice(1).concat([null])) {
      if (i !== null && i === prev + 1) { prev = i; continue; }
      parts.push(start === prev ? `${start}` : `${start}-${prev}`);
      start = prev = i;
    }
    return parts.join(',');
  }
  isValidatedIndex(i) { return this.ledgers.has(i) && i <= this.validated.index; }
  reserve(acct) { return this.opts.reserve_base + BigInt(acct.OwnerCount) * this.opts.reserve_inc; }
  // The sequence the open ledger expects next (submit's account_sequence_next).
  openSequence(address) { const a = this.open.accounts.get(address); return a ? a.Sequence : null; }

  // ---- submit (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/transaction-methods/submit)
  // Returns { error } for RPC-level refusals, else { result, tx, hash, entry } where result is
  // the preliminary engine result, computed against the open ledger as rippled does.
  preliminary(blob, { selfSigned = false } = {}) {
    let tx;
    // rippled's doSubmit: a tx_blob that is not hex -> invalidParams; one that does not
    // deserialize -> invalidTransaction with the exception's text.
    if (typeof blob !== 'string' || !/^([0-9A-Fa-f]{2})+$/.test(blob)) return { error: 'invalidParams' };
    try {
      tx = codec.decode(blob);
      if (codec.encode(tx).toUpperCase() !== blob.toUpperCase()) throw new Error('blob does not round-trip');
    } catch (e) {
      return { error: 'invalidTransaction', exception: `${e.message}` };
    }
    const hash = txHash(blob);
    // Signature: rippled's checkValidity, "fails local checks: Invalid signature." Multi-signed
    // transactions (empty SigningPubKey) are not supported by this double.
    try {
      if (!tx.SigningPubKey || !tx.TxnSignature) throw new Error('unsigned');
      // (selfSigned: the double's own bulk_pay, signed a moment ago by the key it holds.)
      if (!selfSigned && !keypairs.verify(codec.encodeForSigning(tx), tx.TxnSignature, tx.SigningPubKey)) throw new Error('bad');
    } catch (e) {
      return { error: 'invalidTransaction', exception: 'fails local checks: Invalid signature.' };
    }
    const signer = keypairs.deriveAddress(tx.SigningPubKey);
    const acct = this.open.accounts.get(tx.Account);
    if (signer !== tx.Account && !(acct && acct.RegularKey === signer)) {
      // rippled answers tefBAD_AUTH from preclaim when the key is not the account's.
      return { result: 'tefBAD_AUTH', tx, hash, message: 'Transaction\'s public key is not authorized.' };
    }
    // The same transaction again: in the open ledger or held -> tefALREADY; once in a closed
    // ledger its Sequence is consumed -> tefPAST_SEQ (rippled issue #3742, xrpl.org tef codes).
    const same = (e) => e.hash === hash;
    const known = this.pending.some(same) || this.held.some(same) || this.limbo.some(same);
    if (known) return { result: 'tefALREADY', tx, hash };
    if (this.txs.has(hash)) return { result: 'tefPAST_SEQ', tx, hash };
    // Fee (https://xrpl.org/docs/concepts/transactions/transaction-cost): below the base fee ->
    // telINSUF_FEE_P, never applied.
    if (!isXRP(tx.Fee) || BigInt(tx.Fee) < 0n) return { result: 'temBAD_FEE', tx, hash };
    if (BigInt(tx.Fee) < this.opts.base_fee) return { result: 'telINSUF_FEE_P', tx, hash };
    if (!acct) return { result: 'terNO_ACCOUNT', tx, hash };
    // Sequence (https://xrpl.org/docs/references/protocol/transactions/common-fields): lower than
    // the account's -> tefPAST_SEQ; higher -> terPRE_SEQ, held until the gap fills.
    if (tx.Sequence < acct.Sequence) return { result: 'tefPAST_SEQ', tx, hash };
    // LastLedgerSequence below the open ledger's index -> tefMAX_LEDGER
    // (https://xrpl.org/docs/concepts/transactions/reliable-transaction-submission).
    if (tx.LastLedgerSequence !== undefined && tx.LastLedgerSequence < this.currentIndex) return { result: 'tefMAX_LEDGER', tx, hash };
    if (tx.Sequence > acct.Sequence) return { result: 'terPRE_SEQ', tx, hash };
    if (tx.NetworkID !== undefined && this.opts.network_id !== null && tx.NetworkID !== this.opts.network_id) {
      return { result: 'telWRONG_NETWORK', tx, hash, message: 'Transaction specifies a Network ID that differs from that of the local node.' };
    }
    // Apply to a copy of the open ledger to learn the preliminary result.
    const trial = cloneState(this.open);
    const r = this.apply(trial, tx, hash, this.currentIndex);
    return { result: r.result, tx, hash, trial, blob };
  }

  // Queue an accepted transaction (result tes/tec in the open ledger) or hold it.
  accept(p, blob, how) {
    const entry = { tx: p.tx, hash: p.hash, blob, wait: 1 };
    if (how === 'limbo') this.limbo.push(entry);
    else if (how === 'defer') this.held.push(entry); // a close candidate: applies at the next close
    else if (how === 'hold') this.held.push(entry);
    else { this.open = p.trial; this.pending.push(entry); }
  }

  // ---- close: the open ledger's transactions apply, in (Account, Sequence) order, to the last
  // closed state; expired ones (LastLedgerSequence < this ledger's index) are dropped
  // (https://xrpl.org/docs/concepts/transactions/reliable-transaction-submission#lastledgersequence).
  close(skip = 0) {
    const parent = this.lastClosed;
    const index = parent.index + 1 + skip;
    const state = cloneState(parent.state);
    const candidates = [...this.pending, ...this.held];
    candidates.sort((a, b) => (a.tx.Account < b.tx.Account ? -1 : a.tx.Account > b.tx.Account ? 1 : a.tx.Sequence - b.tx.Sequence));
    const applied = [];
    const stillHeld = [];
    for (const e of candidates) {
      if (e.tx.LastLedgerSequence !== undefined && e.tx.LastLedgerSequence < index) continue; // expired: never in any ledger
      const acct = state.accounts.get(e.tx.Account);
      if (!acct || e.tx.Sequence > acct.Sequence) { stillHeld.push(e); continue; }
      if (e.tx.Sequence < acct.Sequence) continue; // superseded
      const r = this.apply(state, e.tx, e.hash, index, applied.length);
      if (!claimed(r.result)) continue;
      applied.push(e.hash);
      this.txs.set(e.hash, { tx: e.tx, blob: e.blob, hash: e.hash, ledger_index: index, meta: r.meta, affected: r.affected });
    }
    this.addLedger(index, parent.hash, applied, state);
    this.held = stillHeld;
    for (const h of applied) this.txs.get(h).date = this.ledgers.get(index).close_time;
    const next = index + 1;
    this.limbo = this.limbo.filter((e) => e.tx.LastLedgerSequence === undefined || e.tx.LastLedgerSequence >= next);
    this.resetOpen();
    this.retryHeld();
    return index;
  }
  // After a close rippled retries held transactions against the new open ledger.
  retryHeld() {
    let progress = true;
    while (progress) {
      progress = false;
      for (const e of this.held.slice()) {
        const acct = this.open.accounts.get(e.tx.Account);
        if (!acct || e.tx.Sequence !== acct.Sequence) continue;
        if (e.tx.LastLedgerSequence !== undefined && e.tx.LastLedgerSequence < this.currentIndex) continue;
        const trial = cloneState(this.open);
        const r = this.apply(trial, e.tx, e.hash, this.currentIndex);
        this.held.splice(this.held.indexOf(e), 1);
        if (claimed(r.result)) { this.open = trial; this.pending.push(e); progress = true; }
      }
    }
  }

  // ---- transaction processing. Mutates state; returns { result, meta, affected }.
  apply(state, tx, hash, ledgerIndex, txIndex = 0) {
    const before = new Map();
    const touch = (kind, key) => {
      const id = `${kind}:${key}`;
      if (before.has(id)) return;
      const m = kind === 'A' ? state.accounts : state.lines;
      before.set(id, m.has(key) ? { ...m.get(key) } : null);
    };
    const pre = this.preflight(tx, hash);
    if (pre) return { result: pre };
    const acct = state.accounts.get(tx.Account);
    const fee = BigInt(tx.Fee);
    if (!acct) return { result: 'terNO_ACCOUNT' };
    if (acct.Balance < fee) return { result: 'terINSUF_FEE_B' };
    touch('A', tx.Account);
    const priorBalance = acct.Balance; // rippled's mPriorBalance: before the fee is taken
    acct.Balance -= fee;
    acct.Sequence += 1;
    const ctx = { state, tx, hash, acct, priorBalance, ledgerIndex, touch, delivered: null };
    let result;
    if (tx.TransactionType === 'Payment') result = this.payment(ctx);
    else if (tx.TransactionType === 'TrustSet') result = this.trustSet(ctx);
    else result = this.accountSet(ctx);
    if (!claimed(result)) return { result };
    if (result !== 'tesSUCCESS') {
      // tec: only the fee and the sequence stay (https://xrpl.org/docs/references/protocol/transactions/transaction-results/tec-codes).
      for (const [id, prev] of before) {
        const [kind, key] = id.split(/:(.*)/s);
        if (kind === 'A' && key === tx.Account) continue;
        const m = kind === 'A' ? state.accounts : state.lines;
        if (prev) m.set(key, prev); else m.delete(key);
      }
      before.forEach((_, id) => { if (id !== `A:${tx.Account}`) before.delete(id); });
      ctx.delivered = null;
    }
    const affected = new Set();
    const nodes = [];
    for (const [id, prev] of before) {
      const [kind, key] = id.split(/:(.*)/s);
      const m = kind === 'A' ? state.accounts : state.lines;
      const now = m.get(key);
      if (kind === 'A') {
        affected.add(key);
        const fields = (a) => ({ Account: a.Account, Balance: a.Balance.toString(), Flags: a.Flags, OwnerCount: a.OwnerCount, Sequence: a.Sequence });
        if (!prev) nodes.push({ CreatedNode: { LedgerEntryType: 'AccountRoot', LedgerIndex: now.index, NewFields: { Account: now.Account, Balance: now.Balance.toString(), Sequence: now.Sequence } } });
        else nodes.push({ ModifiedNode: { LedgerEntryType: 'AccountRoot', LedgerIndex: now.index, FinalFields: fields(now), PreviousFields: { Balance: prev.Balance.toString(), Sequence: prev.Sequence } } });
      } else {
        const l = now || prev;
        affected.add(l.low); affected.add(l.high);
        const fields = (x) => ({
          Balance: { currency: x.currency, issuer: 'rrrrrrrrrrrrrrrrrrrrBZbvji', value: x.balance.toString() },
          HighLimit: { currency: x.currency, issuer: x.high, value: x.highLimit.toString() },
          LowLimit: { currency: x.currency, issuer: x.low, value: x.lowLimit.toString() },
        });
        const kindName = !prev ? 'CreatedNode' : !now ? 'DeletedNode' : 'ModifiedNode';
        const node = { LedgerEntryType: 'RippleState', LedgerIndex: l.index };
        if (kindName === 'CreatedNode') node.NewFields = fields(now);
        else { node.FinalFields = fields(now || prev); if (now) node.PreviousFields = { Balance: fields(prev).Balance }; }
        nodes.push({ [kindName]: node });
      }
    }
    const meta = { AffectedNodes: nodes, TransactionIndex: txIndex, TransactionResult: result };
    // delivered_amount: https://xrpl.org/docs/concepts/payment-types/partial-payments#the-delivered_amount-field
    if (tx.TransactionType === 'Payment' && result === 'tesSUCCESS') {
      meta.delivered_amount = ctx.delivered;
      if (tx.Flags & tfPartialPayment) meta.DeliveredAmount = ctx.delivered;
    }
    return { result, meta, affected: [...affected] };
  }

  // Malformed transactions never apply (tem codes).
  preflight(tx, hash) {
    if (tx.TransactionType === 'Payment') {
      if (hash && this.forcedDeliver.has(hash)) return null;
      if (!tx.Destination) return 'temDST_NEEDED';
      const xrp = isXRP(tx.Amount);
      if (xrp ? BigInt(tx.Amount) <= 0n : Dec.parse(tx.Amount.value).sign() <= 0) return 'temBAD_AMOUNT';
      if (!xrp && tx.Amount.currency === 'XRP') return 'temBAD_CURRENCY';
      if (xrp && tx.SendMax !== undefined && isXRP(tx.SendMax)) return 'temBAD_SEND_XRP_MAX';
      // https://xrpl.org/docs/concepts/payment-types/partial-payments: not for XRP to XRP
      if (xrp && (tx.Flags & tfPartialPayment) && (tx.SendMax === undefined || isXRP(tx.SendMax))) return 'temBAD_SEND_XRP_PARTIAL';
      if (tx.Destination === tx.Account && (xrp || tx.SendMax === undefined)) return 'temREDUNDANT';
      return null;
    }
    if (tx.TransactionType === 'TrustSet') {
      const l = tx.LimitAmount;
      if (!l || isXRP(l) || l.currency === 'XRP') return 'temBAD_CURRENCY';
      if (Dec.parse(l.value).sign() < 0) return 'temBAD_LIMIT';
      if (l.issuer === tx.Account) return 'temDST_IS_SRC';
      if ((tx.Flags & tfSetNoRipple) && (tx.Flags & tfClearNoRipple)) return 'temINVALID_FLAG';
      return null;
    }
    if (tx.TransactionType === 'AccountSet') {
      if (tx.SetFlag !== undefined && tx.SetFlag === tx.ClearFlag) return 'temINVALID_FLAG';
      return null;
    }
    return 'temUNKNOWN'; // this double applies only Payment, TrustSet, AccountSet
  }

  // Payment (https://xrpl.org/docs/references/protocol/transactions/types/payment)
  // A partial payment made by the control API (`pay` with partial.deliver) delivers exactly
  // `deliver`: it is applied as a payment of that amount, its Amount staying as signed.
  payment(ctx) {
    const forced = this.forcedDeliver.get(ctx.hash);
    if (!forced) return this.paymentCore(ctx);
    const real = ctx.tx;
    ctx.tx = { ...real, Amount: forced, Flags: (real.Flags || 0) & ~tfPartialPayment };
    delete ctx.tx.SendMax;
    try { return this.paymentCore(ctx); } finally { ctx.tx = real; }
  }
  paymentCore(ctx) {
    const { state, tx, acct, priorBalance, ledgerIndex, touch } = ctx;
    const ret = (r, delivered) => { ctx.delivered = delivered; return r; };
    let dst = state.accounts.get(tx.Destination);
    if (isXRP(tx.Amount)) {
      const amount = BigInt(tx.Amount);
      // A new account needs at least the base reserve (https://xrpl.org/docs/concepts/accounts/reserves).
      if (!dst && amount < this.opts.reserve_base) return 'tecNO_DST_INSUF_XRP';
      if (dst && (dst.Flags & lsfRequireDestTag) && tx.DestinationTag === undefined) return 'tecDST_TAG_NEEDED';
      // rippled Payment::doApply: mPriorBalance < amount + max(reserve, fee) -> tecUNFUNDED_PAYMENT
      const fee = BigInt(tx.Fee);
      const r = this.reserve(acct);
      if (priorBalance < amount + (r > fee ? r : fee)) return 'tecUNFUNDED_PAYMENT';
      touch('A', tx.Destination);
      if (!dst) {
        // Since DeletableAccounts, a new account's Sequence is the ledger index that creates it.
        dst = this.newAccount(tx.Destination, 0n, ledgerIndex);
        state.accounts.set(tx.Destination, dst);
      }
      acct.Balance -= amount;
      dst.Balance += amount;
      return ret('tesSUCCESS', tx.Amount);
    }
    // Issued currency, direct paths only (no order books, no transfer fees).
    if (!dst) return 'tecNO_DST';
    if ((dst.Flags & lsfRequireDestTag) && tx.DestinationTag === undefined) return 'tecDST_TAG_NEEDED';
    const { currency, issuer } = tx.Amount;
    const want = Dec.parse(tx.Amount.value);
    const issuerAcct = state.accounts.get(issuer);
    if (!issuerAcct) return 'tecPATH_DRY';
    const S = tx.Account, D = tx.Destination;
    const getLine = (a) => state.lines.get(lineKey(a, issuer, currency).key);
    let cap;
    const lines = [];
    if (S === issuer) { // issuing: limited by the holder's trust line limit
      const l = getLine(D);
      if (!l) return 'tecPATH_DRY';
      const v = side(l, D);
      cap = v.limit.sub(v.balance);
      lines.push(l);
    } else if (D === issuer) { // redeeming: limited by what the holder holds
      const l = getLine(S);
      if (!l) return 'tecPATH_DRY';
      cap = side(l, S).balance;
      lines.push(l);
    } else { // holder to holder, rippling through the issuer (https://xrpl.org/docs/concepts/tokens/fungible-tokens/rippling)
      const ls = getLine(S), ld = getLine(D);
      if (!ls || !ld) return 'tecPATH_DRY';
      if (side(ls, issuer).no_ripple || side(ld, issuer).no_ripple) return 'tecPATH_DRY';
      const vd = side(ld, D);
      cap = side(ls, S).balance.min(vd.limit.sub(vd.balance));
      lines.push(ls, ld);
    }
    if (tx.SendMax !== undefined) {
      if (isXRP(tx.SendMax) || tx.SendMax.currency !== currency) return 'tecPATH_DRY'; // would need an order book
      cap = cap.min(Dec.parse(tx.SendMax.value));
    }
    if (cap.sign() <= 0) return 'tecPATH_DRY';
    let deliver = want;
    if (cap.lt(want)) {
      if (!(tx.Flags & tfPartialPayment)) return 'tecPATH_PARTIAL';
      deliver = cap;
    }
    if (tx.DeliverMin !== undefined && deliver.lt(Dec.parse(tx.DeliverMin.value))) return 'tecPATH_PARTIAL';
    for (const l of lines) touch('L', lineKey(l.low, l.high, l.currency).key);
    const live = lines.map((l) => state.lines.get(lineKey(l.low, l.high, l.currency).key));
    if (S === issuer) credit(live[0], D, deliver);
    else if (D === issuer) credit(live[0], issuer, deliver);
    else { credit(live[0], issuer, deliver); credit(live[1], D, deliver); }
    return ret('tesSUCCESS', { currency, issuer, value: deliver.toString() });
  }

  // TrustSet (https://xrpl.org/docs/references/protocol/transactions/types/trustset)
  trustSet({ state, tx, acct, priorBalance, touch }) {
    const { currency, issuer, value } = tx.LimitAmount;
    const peer = state.accounts.get(issuer);
    if (!peer) return 'tecNO_DST';
    const { key, lo, hi } = lineKey(tx.Account, issuer, currency);
    const limit = Dec.parse(value);
    const low = lo === tx.Account;
    let line = state.lines.get(key);
    if (!line) {
      if (limit.isZero()) return 'tecNO_LINE_REDUNDANT';
      // rippled SetTrust: the first two owned objects are free; otherwise the balance before
      // the fee must cover the reserve with one more object -> tecNO_LINE_INSUF_RESERVE.
      const need = acct.OwnerCount < 2 ? 0n : this.opts.reserve_base + BigInt(acct.OwnerCount + 1) * this.opts.reserve_inc;
      if (priorBalance < need) return 'tecNO_LINE_INSUF_RESERVE';
      touch('L', key);
      // A new line's NoRipple on each side follows that account's DefaultRipple flag.
      const noRip = (a) => !(state.accounts.get(a).Flags & lsfDefaultRipple);
      line = {
        low: lo, high: hi, currency, balance: Dec.zero(), lowLimit: Dec.zero(), highLimit: Dec.zero(),
        lowNoRipple: noRip(lo), highNoRipple: noRip(hi), lowReserve: false, highReserve: false,
        index: hex(sha512half(Buffer.from('0072', 'hex'), accountID(lo), accountID(hi), currency160(currency))),
      };
      state.lines.set(key, line);
    } else {
      touch('L', key);
    }
    if (low) line.lowLimit = limit; else line.highLimit = limit;
    if (tx.Flags & tfSetNoRipple) { if (low) line.lowNoRipple = true; else line.highNoRipple = true; }
    if (tx.Flags & tfClearNoRipple) { if (low) line.lowNoRipple = false; else line.highNoRipple = false; }
    // Reserve: the side with a non-zero limit (or a positive balance) owns the line.
    const mine = side(line, tx.Account);
    const wantsReserve = !limit.isZero() || mine.balance.sign() > 0;
    const has = low ? line.lowReserve : line.highReserve;
    if (wantsReserve && !has) {
      if (acct.OwnerCount >= 2 && priorBalance < this.reserve({ OwnerCount: acct.OwnerCount + 1 })) return 'tecINSUF_RESERVE_LINE';
      acct.OwnerCount += 1;
      if (low) line.lowReserve = true; else line.highReserve = true;
    } else if (!wantsReserve && has) {
      acct.OwnerCount -= 1;
      if (low) line.lowReserve = false; else line.highReserve = false;
    }
    if (!line.lowReserve && !line.highReserve && line.balance.isZero()) state.lines.delete(key);
    return 'tesSUCCESS';
  }

  // AccountSet (https://xrpl.org/docs/references/protocol/transactions/types/accountset)
  accountSet({ tx, acct }) {
    if (tx.Flags & tfRequireDestTag) acct.Flags |= lsfRequireDestTag;
    if (tx.Flags & tfOptionalDestTag) acct.Flags &= ~lsfRequireDestTag;
    const set = (f, on) => {
      if (f === undefined) return;
      if (ASF[f]) acct.Flags = on ? (acct.Flags | ASF[f]) >>> 0 : (acct.Flags & ~ASF[f]) >>> 0;
      else acct.otherFlags = on ? [...new Set([...acct.otherFlags, f])] : acct.otherFlags.filter((x) => x !== f);
    };
    set(tx.SetFlag, true);
    set(tx.ClearFlag, false);
    for (const f of ['Domain', 'EmailHash', 'MessageKey', 'TransferRate', 'TickSize']) if (tx[f] !== undefined) acct[f] = tx[f];
    return 'tesSUCCESS';
  }
}

module.exports = { Ledger, Dec, GENESIS, TER, terInfo, txHash, side, lineKey, RIPPLE_EPOCH, claimed, isXRP };

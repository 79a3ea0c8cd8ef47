'use strict';
// rippled's JSON-RPC methods, API version 1, over the in-memory Ledger.
// Reference: https://xrpl.org/docs/references/http-websocket-apis/public-api-methods
// Errors are answered as rippled does: HTTP 200, result {error, error_code, error_message,
// status: "error", request} (https://xrpl.org/docs/references/http-websocket-apis/api-conventions/error-formatting).

const { Dec, terInfo, side, isXRP, RIPPLE_EPOCH } = require('./ledger');
const addr = require('ripple-address-codec');

const ERRORS = {
  noPermission: [6, "You don't have permission for this command."],
  actNotFound: [19, 'Account not found.'],
  lgrNotFound: [21, 'ledgerNotFound'],
  txnNotFound: [29, 'Transaction not found.'],
  invalidParams: [31, 'Invalid parameters.'],
  unknownCmd: [32, 'Unknown method.'],
  actMalformed: [35, 'Account malformed.'],
  lgrIdxsInvalid: [57, 'Ledger indexes invalid.'],
  lgrIdxMalformed: [58, 'Ledger index malformed.'],
  excessiveLgrRange: [78, 'Ledger range exceeds 1000.'],
  invalidLgrRange: [79, 'Ledger range is invalid.'],
  invalidTransaction: [null, null],
};
class RpcError extends Error {
  constructor(name, message, extra = {}) { super(message || ERRORS[name][1]); this.rpc = name; this.extra = extra; }
}
const xrpNum = (drops) => Number(drops) / 1e6; // server_info reports XRP as JSON numbers, as rippled does

function needAccount(p, field = 'account') {
  const a = p[field];
  if (a === undefined) throw new RpcError('invalidParams', `Missing field '${field}'.`);
  if (typeof a !== 'string' || !addr.isValidClassicAddress(a)) throw new RpcError('actMalformed');
  return a;
}

// Ledger selection (https://xrpl.org/docs/references/protocol/data-types/basic-data-types#specifying-ledgers).
// Returns { state, index, hash?, current, validated }.
function pick(L, p, dflt = 'current') {
  let sel = p.ledger_index !== undefined ? p.ledger_index : dflt;
  if (p.ledger_hash) {
    const l = [...L.ledgers.values()].find((x) => x.hash === String(p.ledger_hash).toUpperCase());
    if (!l) throw new RpcError('lgrNotFound');
    return { state: l.state, index: l.index, hash: l.hash, current: false, validated: L.isValidatedIndex(l.index) };
  }
  if (sel === 'current') return { state: L.open, index: L.currentIndex, current: true, validated: false };
  if (sel === 'validated' || sel === 'closed') {
    const l = sel === 'validated' ? L.validated : L.lastClosed;
    return { state: l.state, index: l.index, hash: l.hash, current: false, validated: L.isValidatedIndex(l.index) };
  }
  if (typeof sel === 'string' && /^\d+$/.test(sel)) sel = Number(sel);
  if (!Number.isInteger(sel)) throw new RpcError('invalidParams', 'ledgerIndexMalformed');
  if (sel === L.currentIndex) return pick(L, {}, 'current');
  const l = L.ledgers.get(sel);
  if (!l) throw new RpcError('lgrNotFound');
  return { state: l.state, index: l.index, hash: l.hash, current: false, validated: L.isValidatedIndex(l.index) };
}
// How answers name the ledger they read: ledger_current_index for the open one, else
// ledger_index (+ ledger_hash), and validated.
function where(w) {
  return w.current ? { ledger_current_index: w.index, validated: false }
    : { ledger_hash: w.hash, ledger_index: w.index, validated: w.validated };
}

function accountData(a) {
  const d = { Account: a.Account, Balance: a.Balance.toString(), Flags: a.Flags, LedgerEntryType: 'AccountRoot', OwnerCount: a.OwnerCount, PreviousTxnID: '0'.repeat(64), PreviousTxnLgrSeq: 0, Sequence: a.Sequence, index: a.index };
  for (const f of ['RegularKey', 'Domain', 'EmailHash', 'MessageKey', 'TransferRate', 'TickSize']) if (a[f] !== undefined) d[f] = a[f];
  return d;
}

function lineView(l, who) {
  const v = side(l, who);
  const o = {
    account: v.peer, balance: v.balance.toString(), currency: l.currency, limit: v.limit.toString(),
    limit_peer: v.limit_peer.toString(), quality_in: 0, quality_out: 0,
  };
  if (v.no_ripple) o.no_ripple = true; else o.no_ripple = false;
  if (v.no_ripple_peer) o.no_ripple_peer = true; else o.no_ripple_peer = false;
  return o;
}
function linesOf(state, account) {
  return [...state.lines.values()].filter((l) => l.low === account || l.high === account)
    .sort((a, b) => (a.index < b.index ? -1 : 1));
}

// Transaction JSON as API v1 answers it: the fields, hash, ledger_index, date (+ inLedger).
function txJson(rec) {
  return { ...rec.tx, hash: rec.hash, inLedger: rec.ledger_index, ledger_index: rec.ledger_index, date: rec.date };
}
function clampLimit(v, dflt, max) {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RpcError('invalidParams', "Invalid field 'limit'.");
  return Math.min(n, max);
}

function makeMethods(L, srv) {
  const M = {};

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/server-info-methods/server_info
  M.server_info = () => {
    const v = L.validated;
    const info = {
      build_version: '2.3.0-omnigate-double', complete_ledgers: L.completeLedgers(), hostid: 'OMNIGATE',
      io_latency_ms: 1, jq_trans_overflow: '0', last_close: { converge_time_s: 1, proposers: 0 },
      load_factor: 1, peers: 0, pubkey_node: 'n9KoA4f4ZYdXMAcrvaDm8V5U6y63NM4VxWGfV3rbCZ6hFjbkdLgq',
      server_state: 'full', server_state_duration_us: '1000', time: new Date().toUTCString(),
      uptime: Math.floor((Date.now() - srv.started) / 1000), validation_quorum: 0,
      validated_ledger: {
        age: Math.max(0, Math.floor(Date.now() / 1000) - RIPPLE_EPOCH - v.close_time),
        base_fee_xrp: xrpNum(L.opts.base_fee), hash: v.hash, reserve_base_xrp: xrpNum(L.opts.reserve_base),
        reserve_inc_xrp: xrpNum(L.opts.reserve_inc), seq: v.index,
      },
    };
    if (L.opts.network_id !== null) info.network_id = L.opts.network_id;
    return { info };
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/server-info-methods/fee
  // (counts are strings, as rippled answers them)
  M.fee = () => {
    const b = L.opts.base_fee;
    return {
      current_ledger_size: String(L.pending.length), current_queue_size: String(L.held.length),
      drops: { base_fee: b.toString(), median_fee: (b * 500n).toString(), minimum_fee: b.toString(), open_ledger_fee: b.toString() },
      expected_ledger_size: '1000', ledger_current_index: L.currentIndex,
      levels: { median_level: '128000', minimum_level: '256', open_ledger_level: '256', reference_level: '256' },
      max_queue_size: '20000',
    };
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/ledger-methods/ledger
  M.ledger = (p) => {
    const w = pick(L, p, 'validated');
    if (w.current) {
      const parent = L.lastClosed;
      const ledger = { closed: false, ledger_index: String(w.index), parent_hash: parent.hash, parent_close_time: parent.close_time };
      if (p.transactions) ledger.transactions = L.pending.map((e) => e.hash);
      return { ledger, ledger_current_index: w.index, validated: false };
    }
    const l = L.ledgers.get(w.index);
    const ledger = {
      accepted: true, account_hash: l.hash, close_flags: 0, close_time: l.close_time,
      close_time_human: new Date((l.close_time + RIPPLE_EPOCH) * 1000).toISOString(), close_time_resolution: 10,
      closed: true, ledger_hash: l.hash, ledger_index: String(l.index), parent_close_time: l.index > 1 ? l.close_time - 1 : 0,
      parent_hash: l.parent_hash, total_coins: l.total_coins.toString(), transaction_hash: l.hash,
    };
    if (p.transactions) {
      ledger.transactions = p.expand
        ? l.txHashes.map((h) => { const r = L.txs.get(h); return { ...txJson(r), metaData: r.meta }; })
        : l.txHashes.slice();
    }
    return { ledger, ledger_hash: l.hash, ledger_index: l.index, validated: w.validated };
  };
  M.ledger_current = () => ({ ledger_current_index: L.currentIndex });
  M.ledger_closed = () => ({ ledger_hash: L.lastClosed.hash, ledger_index: L.lastClosed.index });

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/account_info
  M.account_info = (p) => {
    const account = needAccount(p);
    const w = pick(L, p, 'current');
    const a = w.state.accounts.get(account);
    if (!a) throw new RpcError('actNotFound', null, { account, ...where(w) });
    return { account_data: accountData(a), ...where(w) };
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/account_lines
  M.account_lines = (p) => {
    const account = needAccount(p);
    const w = pick(L, p, 'current');
    if (!w.state.accounts.has(account)) throw new RpcError('actNotFound', null, where(w));
    let lines = linesOf(w.state, account);
    if (p.peer) lines = lines.filter((l) => l.low === p.peer || l.high === p.peer);
    const limit = clampLimit(p.limit, 200, 400);
    let start = 0;
    if (p.marker !== undefined) {
      start = lines.findIndex((l) => l.index === p.marker);
      if (start < 0) throw new RpcError('invalidParams', "Invalid field 'marker'.");
    }
    const page = lines.slice(start, start + limit);
    const out = { account, lines: page.map((l) => lineView(l, account)), ...where(w) };
    if (p.limit !== undefined) out.limit = limit;
    if (start + limit < lines.length) out.marker = lines[start + limit].index;
    return out;
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/account_tx
  // Searches validated ledgers only; marker {ledger, seq} names the next transaction to return.
  M.account_tx = (p) => {
    const account = needAccount(p);
    const vmax = L.validated.index;
    const vmin = L.closedOrder[0];
    let lo = p.ledger_index_min === undefined || p.ledger_index_min === -1 ? vmin : Number(p.ledger_index_min);
    let hi = p.ledger_index_max === undefined || p.ledger_index_max === -1 ? vmax : Number(p.ledger_index_max);
    if (p.ledger_index !== undefined || p.ledger_hash !== undefined) { const w = pick(L, p, 'validated'); lo = hi = w.index; }
    // API v1 clamps the range to the validated ledgers this server has (v2 would refuse it).
    lo = Math.max(lo, vmin); hi = Math.min(hi, vmax);
    if (hi < lo) throw new RpcError('lgrIdxsInvalid');
    const forward = p.forward === true;
    const limit = clampLimit(p.limit, 200, 400);
    let all = [];
    for (const i of L.closedOrder) {
      if (i < lo || i > hi) continue;
      for (const h of L.ledgers.get(i).txHashes) {
        const r = L.txs.get(h);
        if (r.affected.includes(account)) all.push(r);
      }
    }
    if (!forward) all.reverse();
    let start = 0;
    if (p.marker !== undefined) {
      const m = p.marker;
      if (!m || typeof m !== 'object' || !Number.isInteger(m.ledger) || !Number.isInteger(m.seq)) throw new RpcError('invalidParams', "Invalid field 'marker'.");
      start = all.findIndex((r) => r.ledger_index === m.ledger && r.meta.TransactionIndex === m.seq);
      if (start < 0) throw new RpcError('invalidParams', "Invalid field 'marker'.");
    }
    const page = all.slice(start, start + limit);
    const out = {
      account, ledger_index_max: hi, ledger_index_min: lo, limit,
      transactions: page.map((r) => ({ hash: r.hash, ledger_index: r.ledger_index, meta: r.meta, tx: txJson(r), validated: L.isValidatedIndex(r.ledger_index) })),
      validated: true,
    };
    const next = all[start + limit];
    if (next) out.marker = { ledger: next.ledger_index, seq: next.meta.TransactionIndex };
    return out;
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/transaction-methods/tx
  M.tx = (p) => {
    const h = String(p.transaction || '').toUpperCase();
    if (!/^[0-9A-F]{64}$/.test(h)) throw new RpcError('invalidParams');
    const r = L.txs.get(h);
    if (r) return { ...txJson(r), meta: r.meta, validated: L.isValidatedIndex(r.ledger_index) };
    const extra = {};
    if (p.min_ledger !== undefined && p.max_ledger !== undefined) {
      const lo = Number(p.min_ledger), hi = Number(p.max_ledger);
      // rippled's doTxHelp: max < min -> invalidLgrRange; more than 1000 ledgers -> excessiveLgrRange.
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) throw new RpcError('invalidLgrRange');
      if (hi - lo > 1000) throw new RpcError('excessiveLgrRange');
      // searched_all: every ledger of the range is a validated ledger this server has.
      let all = true;
      for (let i = lo; i <= hi; i++) if (!L.isValidatedIndex(i)) { all = false; break; }
      extra.searched_all = all;
    }
    throw new RpcError('txnNotFound', null, extra);
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/transaction-methods/submit
  // tx_blob mode only: sign-and-submit would send a secret, which this double refuses.
  M.submit = (p, ctx) => {
    if (p.secret !== undefined || p.seed !== undefined || p.seed_hex !== undefined || p.passphrase !== undefined || p.tx_json !== undefined) {
      throw new RpcError('noPermission', 'Sign-and-submit is refused by this double: submit a signed tx_blob.');
    }
    if (typeof p.tx_blob !== 'string') throw new RpcError('invalidParams', "Missing field 'tx_blob'.");
    const pre = L.preliminary(p.tx_blob, { selfSigned: !!(ctx && ctx.selfSigned) });
    if (pre.error === 'invalidParams') throw new RpcError('invalidParams');
    // rippled answers {error: "invalidTransaction", error_exception}: no error_code, no error_message.
    if (pre.error) { const e = new RpcError('invalidTransaction', pre.exception); e.extra.error_exception = pre.exception; e.bare = true; throw e; }
    let result = pre.result;
    let how = null;
    // The double's own transactions (control pay, fund, ...) bypass the misbehaviour.
    const mis = ctx && ctx.internal ? { drop_submit_response: 0 } : srv.mis;
    if (mis.submit_result && mis.submit_result_count > 0) {
      mis.submit_result_count -= 1;
      result = mis.submit_result;
      how = result === 'terQUEUED' ? 'defer' : 'none';
    } else if (result === 'tesSUCCESS' || result.startsWith('tec')) {
      how = mis.hold_submissions ? 'limbo' : 'open';
    } else if (result === 'terPRE_SEQ') {
      how = 'hold';
    }
    if (how === 'open' || how === 'limbo' || how === 'defer' || how === 'hold') L.accept(pre, p.tx_blob.toUpperCase(), how);
    if (mis.drop_submit_response > 0) { mis.drop_submit_response -= 1; ctx.drop = true; }
    if (!(ctx && ctx.internal)) srv.submits = (srv.submits || 0) + 1; // clients' submits only
    const [code, message] = terInfo(result);
    const applied = how === 'open' || how === 'limbo';
    const next = L.openSequence(pre.tx.Account);
    return {
      accepted: applied || how === 'defer' || how === 'hold',
      account_sequence_available: next === null ? undefined : next,
      account_sequence_next: next === null ? undefined : next,
      applied, broadcast: applied, engine_result: result, engine_result_code: code,
      engine_result_message: pre.message || message, kept: applied || how === 'defer' || how === 'hold',
      open_ledger_cost: L.opts.base_fee.toString(), queued: how === 'defer',
      tx_blob: p.tx_blob.toUpperCase(), tx_json: { ...pre.tx, hash: pre.hash }, validated_ledger_index: L.validated.index,
    };
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/path-and-order-book-methods/ripple_path_find
  // Direct paths only: XRP to XRP, and an issued currency the source holds or issues.
  M.ripple_path_find = (p) => {
    const src = needAccount(p, 'source_account');
    const dst = needAccount(p, 'destination_account');
    if (p.destination_amount === undefined) throw new RpcError('invalidParams', "Missing field 'destination_amount'.");
    const st = L.open;
    if (!st.accounts.has(src)) throw new RpcError('actNotFound', 'Source account not found.');
    const amt = p.destination_amount;
    const currencies = new Set(['XRP']);
    for (const l of linesOf(st, dst)) {
      const v = side(l, dst);
      if (v.balance.lt(v.limit)) currencies.add(l.currency);
    }
    const alternatives = [];
    if (isXRP(amt)) {
      const a = st.accounts.get(src);
      if (a.Balance - L.reserve(a) >= BigInt(amt)) alternatives.push({ paths_computed: [], source_amount: amt });
    } else {
      const want = Dec.parse(amt.value);
      const issuer = amt.issuer;
      let have;
      if (src === issuer) have = true;
      else {
        const l = [...st.lines.values()].find((x) => x.currency === amt.currency && (x.low === src || x.high === src) && (x.low === issuer || x.high === issuer));
        have = l && !side(l, src).balance.lt(want);
      }
      if (have) alternatives.push({ paths_computed: [], source_amount: { currency: amt.currency, issuer: src === issuer ? src : issuer, value: amt.value } });
    }
    // source_currencies limits the currencies the source may spend ({currency, issuer?} each).
    if (Array.isArray(p.source_currencies)) {
      const allowed = new Set(p.source_currencies.map((c) => (c && c.currency) || ''));
      for (let i = alternatives.length - 1; i >= 0; i--) {
        const s = alternatives[i].source_amount;
        if (!allowed.has(isXRP(s) ? 'XRP' : s.currency)) alternatives.splice(i, 1);
      }
    }
    return {
      alternatives, destination_account: dst, destination_currencies: [...currencies], full_reply: true,
      ledger_current_index: L.currentIndex, source_account: src,
    };
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/gateway_balances
  M.gateway_balances = (p) => {
    const account = needAccount(p);
    const w = pick(L, p, 'current');
    if (!w.state.accounts.has(account)) throw new RpcError('actNotFound', null, where(w));
    const hot = new Set(p.hotwallet === undefined ? [] : [].concat(p.hotwallet));
    const obligations = {};
    const balances = {};
    const assets = {};
    for (const l of linesOf(w.state, account)) {
      const v = side(l, account);
      if (v.balance.sign() < 0) {
        const owed = v.balance.neg();
        if (hot.has(v.peer)) (balances[v.peer] = balances[v.peer] || []).push({ currency: l.currency, value: owed.toString() });
        else obligations[l.currency] = Dec.parse(obligations[l.currency] || '0').add(owed).toString();
      } else if (v.balance.sign() > 0) {
        (assets[v.peer] = assets[v.peer] || []).push({ currency: l.currency, value: v.balance.toString() });
      }
    }
    const out = { account, ...where(w) };
    if (Object.keys(obligations).length) out.obligations = obligations;
    if (Object.keys(balances).length) out.balances = balances;
    if (Object.keys(assets).length) out.assets = assets;
    return out;
  };

  // https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/account-methods/account_objects
  // Only trust lines (RippleState) exist in this double.
  M.account_objects = (p) => {
    const account = needAccount(p);
    const w = pick(L, p, 'current');
    if (!w.state.accounts.has(account)) throw new RpcError('actNotFound', null, where(w));
    let objs = linesOf(w.state, account);
    if (p.type !== undefined && p.type !== 'state') objs = [];
    const limit = clampLimit(p.limit, 200, 400);
    let start = 0;
    if (p.marker !== undefined) {
      start = objs.findIndex((l) => l.index === p.marker);
      if (start < 0) throw new RpcError('invalidParams', "Invalid field 'marker'.");
    }
    const page = objs.slice(start, start + limit).map((l) => ({
      Balance: { currency: l.currency, issuer: 'rrrrrrrrrrrrrrrrrrrrBZbvji', value: l.balance.toString() },
      Flags: (l.lowReserve ? 0x00010000 : 0) | (l.highReserve ? 0x00020000 : 0) | (l.lowNoRipple ? 0x00100000 : 0) | (l.highNoRipple ? 0x00200000 : 0),
      HighLimit: { currency: l.currency, issuer: l.high, value: l.highLimit.toString() },
      LedgerEntryType: 'RippleState',
      LowLimit: { currency: l.currency, issuer: l.low, value: l.lowLimit.toString() },
      index: l.index,
    }));
    const out = { account, account_objects: page, ...where(w) };
    if (p.limit !== undefined) out.limit = limit;
    if (start + limit < objs.length) out.marker = objs[start + limit].index;
    return out;
  };

  return M;
}

module.exports = { makeMethods, RpcError, ERRORS, accountData, lineView, linesOf };

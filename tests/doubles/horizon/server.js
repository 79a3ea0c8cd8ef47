#!/usr/bin/env node
'use strict';
// A stand-in for Horizon (the Stellar network's REST API): the endpoints a bridge uses, in
// Horizon's JSON shapes (HAL links, problem+json errors), over a small ledger (ledger.js)
// whose transactions are decoded and whose signatures are checked by @stellar/stellar-sdk;
// and a control API on POST /control that tests use to fund accounts, make deposits, close
// ledgers and misbehave.
//   node server.js [--port N] [--port-file F] [--host H] [--passphrase P] [--close-ms MS]
//                  [--base-fee STROOPS] [--base-reserve STROOPS] [--submit-timeout-ms MS]
// See ../README.md ("The Horizon double").

const http = require('http');
const fs = require('fs');
const { Ledger, TxError, toStroops, amountText, baseAddress, assetFields, parseAsset, resultXdr, MAX_I64, sdk } = require('./ledger');
const { StrKey, Asset, Memo, Operation } = sdk;

// ---- arguments
function parseArgs(argv) {
  const o = { port: 8000, portFile: null, host: '127.0.0.1', passphrase: sdk.Networks.TESTNET, closeMs: 1000, baseFee: 100n, baseReserve: 5000000n, submitTimeoutMs: 30000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--port') o.port = Number(v());
    else if (a === '--port-file') o.portFile = v();
    else if (a === '--host') o.host = v();
    else if (a === '--passphrase') o.passphrase = v();
    else if (a === '--close-ms') o.closeMs = Number(v());
    else if (a === '--base-fee') o.baseFee = BigInt(v());
    else if (a === '--base-reserve') o.baseReserve = BigInt(v());
    else if (a === '--submit-timeout-ms') o.submitTimeoutMs = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error('bad --port');
  if (!Number.isFinite(o.closeMs) || o.closeMs < 0) throw new Error('bad --close-ms');
  if (o.baseFee < 0n || o.baseReserve < 0n) throw new Error('bad --base-fee or --base-reserve');
  return o;
}
let args;
try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`horizon double: ${e.message}`); process.exit(2); }

const log = (line) => process.stdout.write(`[horizon-double] ${line}\n`);
const newLedger = () => new Ledger({ passphrase: args.passphrase, baseFee: args.baseFee, baseReserve: args.baseReserve });
let L = newLedger();
const freshMis = () => ({ submit_504: 0, submit_504_unapplied: 0, unreachable_until: 0, unavailable_until: 0 });
let mis = freshMis();

// ---- HTTP helpers
function send(res, status, body, type = 'application/hal+json; charset=utf-8') {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'X-Ratelimit-Limit': '3600' });
  res.end(text);
}
const PROBLEMS = {
  not_found: [404, 'Resource Missing', 'The resource at the url requested was not found.  This usually occurs for one of two reasons:  The url requested is not valid, or no data in our database could be found with the parameters provided.'],
  bad_request: [400, 'Bad Request', 'The request you sent was invalid in some way.'],
  transaction_failed: [400, 'Transaction Failed', 'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.  Descriptions of each code can be found at: https://developers.stellar.org/api/errors/http-status-codes/horizon-specific/transaction-failed/'],
  transaction_malformed: [400, 'Transaction Malformed', 'Horizon could not decode the transaction envelope in this request. A transaction should be an XDR TransactionEnvelope struct encoded using base64.  The envelope read from this request is echoed in the `extras.envelope_xdr` field of this response for your convenience.'],
  timeout: [504, 'Timeout', 'Your request timed out before completing.  Please try your request again. If you are submitting a transaction make sure you are sending exactly the same transaction (with the same sequence number).'],
  service_unavailable: [503, 'Service Unavailable', 'The server is currently unable to handle the request due to a temporary overloading or maintenance of the server.  Please try again later.'],
  method_not_allowed: [405, 'Method Not Allowed', 'This endpoint does not support the request method you used.'],
};
function problem(res, kind, extras, detail) {
  const [status, title, text] = PROBLEMS[kind];
  const body = { type: `https://stellar.org/horizon-errors/${kind}`, title, status, detail: detail || text };
  if (extras) body.extras = extras;
  send(res, status, body, 'application/problem+json; charset=utf-8');
  return status;
}
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 1 << 20) { reject(new Error('body too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
const iso = (unix) => new Date(Number(unix) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- Horizon's resources
function accountJson(a, base) {
  const self = `${base}/accounts/${a.id}`;
  const balances = [];
  for (const line of a.lines.values()) {
    balances.push({
      balance: amountText(line.balance), limit: amountText(line.limit), buying_liabilities: '0.0000000', selling_liabilities: '0.0000000',
      last_modified_ledger: line.lastModified, is_authorized: true, is_authorized_to_maintain_liabilities: true, ...assetFields(line.asset),
    });
  }
  balances.push({ balance: amountText(a.balance), buying_liabilities: '0.0000000', selling_liabilities: '0.0000000', asset_type: 'native' });
  const data = {};
  for (const [k, v] of a.data) data[k] = v.toString('base64');
  return {
    _links: {
      self: { href: self }, transactions: { href: `${self}/transactions{?cursor,limit,order}`, templated: true },
      operations: { href: `${self}/operations{?cursor,limit,order}`, templated: true }, payments: { href: `${self}/payments{?cursor,limit,order}`, templated: true },
      effects: { href: `${self}/effects{?cursor,limit,order}`, templated: true }, offers: { href: `${self}/offers{?cursor,limit,order}`, templated: true },
      trades: { href: `${self}/trades{?cursor,limit,order}`, templated: true }, data: { href: `${self}/data/{key}`, templated: true },
    },
    id: a.id, account_id: a.id, sequence: a.seq.toString(), subentry_count: a.subentries,
    last_modified_ledger: a.lastModified, last_modified_time: iso(L.ledgers[Math.min(a.lastModified, L.ledgers.length) - 1].closed_at),
    thresholds: { low_threshold: 0, med_threshold: 0, high_threshold: 0 },
    flags: { auth_required: false, auth_revocable: false, auth_immutable: false, auth_clawback_enabled: false },
    balances,
    signers: [{ weight: 1, key: a.id, type: 'ed25519_public_key' }],
    data, num_sponsoring: 0, num_sponsored: 0, paging_token: a.id,
  };
}

function muxedFields(prefix, addr) {
  return addr.muxed ? { [`${prefix}_muxed`]: addr.muxed, [`${prefix}_muxed_id`]: addr.muxedId } : {};
}

function txJson(rec, base) {
  const self = `${base}/transactions/${rec.hash}`;
  const src = baseAddress(rec.source);
  const out = {
    memo: rec.memo, memo_bytes: rec.memo_bytes,
    _links: {
      self: { href: self }, account: { href: `${base}/accounts/${src.account}` }, ledger: { href: `${base}/ledgers/${rec.ledger}` },
      operations: { href: `${self}/operations{?cursor,limit,order}`, templated: true }, effects: { href: `${self}/effects{?cursor,limit,order}`, templated: true },
      precedes: { href: `${base}/transactions?order=asc&cursor=${rec.id}` }, succeeds: { href: `${base}/transactions?order=desc&cursor=${rec.id}` },
      transaction: { href: self },
    },
    id: rec.hash, paging_token: rec.id.toString(), successful: rec.successful, hash: rec.hash, ledger: rec.ledger,
    created_at: iso(rec.closed_at), source_account: src.account, ...(src.muxed ? { account_muxed: src.muxed, account_muxed_id: src.muxedId } : {}),
    source_account_sequence: rec.sequence, fee_account: src.account, fee_charged: rec.fee_charged.toString(), max_fee: rec.max_fee,
    operation_count: rec.operation_count, envelope_xdr: rec.envelope_xdr, result_xdr: rec.result_xdr,
    memo_type: rec.memo_type, signatures: rec.signatures,
  };
  if (out.memo === undefined) delete out.memo;
  if (out.memo_bytes === undefined) delete out.memo_bytes;
  if (rec.time_bounds) {
    out.valid_after = iso(rec.time_bounds.minTime);
    if (rec.time_bounds.maxTime !== '0') out.valid_before = iso(BigInt(rec.time_bounds.maxTime) > 253402300799n ? 253402300799n : rec.time_bounds.maxTime);
    out.preconditions = { timebounds: { min_time: rec.time_bounds.minTime, ...(rec.time_bounds.maxTime !== '0' ? { max_time: rec.time_bounds.maxTime } : {}) } };
  }
  return out;
}

function paymentJson(p, base, join) {
  const id = p.id.toString();
  const src = baseAddress(p.source);
  const out = {
    _links: {
      self: { href: `${base}/operations/${id}` }, transaction: { href: `${base}/transactions/${p.tx.hash}` },
      effects: { href: `${base}/operations/${id}/effects` }, succeeds: { href: `${base}/effects?order=desc&cursor=${id}` },
      precedes: { href: `${base}/effects?order=asc&cursor=${id}` },
    },
    id, paging_token: id, transaction_successful: !p.failed, source_account: src.account, ...muxedFields('source_account', src),
    type: p.type, type_i: p.type_i, created_at: iso(p.tx.closed_at), transaction_hash: p.tx.hash,
  };
  if (p.type === 'payment') {
    Object.assign(out, assetFields(p.asset), { from: p.from.account, ...muxedFields('from', p.from), to: p.to.account, ...muxedFields('to', p.to), amount: amountText(p.amount) });
  } else {
    Object.assign(out, { starting_balance: amountText(p.amount), funder: p.from.account, account: p.to.account });
  }
  if (join) out.transaction = txJson(p.tx, base);
  return out;
}

// GET /accounts/{id}/payments and GET /payments: Horizon's paging (cursor = paging token,
// "now"; order; limit 1..200), HAL links.
function listPayments(res, base, path, query, account) {
  const order = query.get('order') || 'asc';
  if (order !== 'asc' && order !== 'desc') return problem(res, 'bad_request', { invalid_field: 'order', reason: 'order: invalid value' });
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? 10 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200 || !/^\d+$/.test(limitText || '10')) return problem(res, 'bad_request', { invalid_field: 'limit', reason: 'The limit must be a positive integer no larger than 200' });
  let cursorText = query.get('cursor') || '';
  let cursor;
  if (cursorText === 'now') cursor = BigInt(L.closedSeq + 1) << 32n;
  else if (cursorText === '') cursor = order === 'asc' ? -1n : MAX_I64;
  else if (/^\d{1,19}$/.test(cursorText) && BigInt(cursorText) <= MAX_I64) cursor = BigInt(cursorText);
  else return problem(res, 'bad_request', { invalid_field: 'cursor', reason: 'cursor: invalid value' });
  const join = query.get('join');
  if (join !== null && join !== '' && join !== 'transactions') return problem(res, 'bad_request', { invalid_field: 'join', reason: 'Accepted values: transactions' });
  const includeFailed = query.get('include_failed') === 'true';
  let recs = L.payments.filter((p) => (includeFailed || !p.failed) && (!account || p.from.account === account || p.to.account === account));
  recs = order === 'asc' ? recs.filter((p) => p.id > cursor) : recs.filter((p) => p.id < cursor).reverse();
  recs = recs.slice(0, limit);
  const extra = `${join ? '&join=transactions' : ''}${includeFailed ? '&include_failed=true' : ''}`;
  const link = (c, o) => ({ href: `${base}${path}?cursor=${c}&limit=${limit}&order=${o}${extra}` });
  const first = recs.length ? recs[0].id.toString() : cursorText;
  const last = recs.length ? recs[recs.length - 1].id.toString() : cursorText;
  send(res, 200, {
    _links: { self: link(cursorText, order), next: link(last, order), prev: link(first, order === 'asc' ? 'desc' : 'asc') },
    _embedded: { records: recs.map((p) => paymentJson(p, base, !!join)) },
  });
  return 200;
}

function rootJson(base) {
  const last = L.ledgers[L.ledgers.length - 1];
  return {
    _links: {
      account: { href: `${base}/accounts/{account_id}`, templated: true }, fee_stats: { href: `${base}/fee_stats` },
      ledger: { href: `${base}/ledgers/{sequence}`, templated: true }, self: { href: `${base}/` },
      transaction: { href: `${base}/transactions/{hash}`, templated: true }, transactions: { href: `${base}/transactions{?cursor,limit,order}`, templated: true },
    },
    horizon_version: 'omnigate-horizon-double', core_version: 'omnigate-horizon-double',
    ingest_latest_ledger: L.closedSeq, history_latest_ledger: L.closedSeq, history_latest_ledger_closed_at: iso(last.closed_at),
    history_elder_ledger: 1, core_latest_ledger: L.closedSeq, network_passphrase: L.passphrase,
    current_protocol_version: 21, supported_protocol_version: 21, core_supported_protocol_version: 21,
  };
}

function ledgerJson(l, base) {
  return {
    _links: { self: { href: `${base}/ledgers/${l.sequence}` } },
    id: l.hash, paging_token: (BigInt(l.sequence) << 32n).toString(), hash: l.hash, sequence: l.sequence,
    successful_transaction_count: l.tx_count, failed_transaction_count: 0, operation_count: l.op_count, tx_set_operation_count: l.op_count,
    closed_at: iso(l.closed_at), total_coins: '100000000000.0000000', fee_pool: '0.0000000',
    base_fee_in_stroops: Number(L.baseFee), base_reserve_in_stroops: Number(L.baseReserve), max_tx_set_size: 1000, protocol_version: 21,
  };
}

function feeStatsJson() {
  const f = L.baseFee.toString();
  const dist = { max: f, min: f, mode: f, p10: f, p20: f, p30: f, p40: f, p50: f, p60: f, p70: f, p80: f, p90: f, p95: f, p99: f };
  return { last_ledger: String(L.closedSeq), last_ledger_base_fee: f, ledger_capacity_usage: '0.00', fee_charged: dist, max_fee: dist };
}

// ---- POST /transactions
async function submitTransaction(req, res, base) {
  const text = await readBody(req);
  let tx;
  if ((req.headers['content-type'] || '').includes('application/json')) {
    try { tx = JSON.parse(text).tx; } catch (e) { tx = undefined; }
  } else {
    tx = new URLSearchParams(text).get('tx');
  }
  if (typeof tx !== 'string' || tx === '') return { status: problem(res, 'bad_request', { invalid_field: 'tx', reason: 'Transaction is required' }), note: 'no tx' };
  if (mis.submit_504_unapplied > 0) {
    mis.submit_504_unapplied--;
    return { status: problem(res, 'timeout'), note: 'misbehave submit_504_unapplied: not applied' };
  }
  let out;
  try {
    out = L.submit(tx);
  } catch (e) {
    if (!(e instanceof TxError)) throw e;
    if (e.code === 'malformed') return { status: problem(res, 'transaction_malformed', { envelope_xdr: tx }), note: `malformed: ${e.detail}` };
    return { status: problem(res, 'transaction_failed', { envelope_xdr: tx, result_codes: { transaction: e.code }, result_xdr: resultXdr(0n, e.code, []) }), note: e.code };
  }
  const rec = out.record;
  const note = `${rec.hash} ${out.duplicate ? 'duplicate, ' : ''}${rec.result_codes.transaction}${rec.successful ? '' : ` [${rec.result_codes.operations.join(',')}]`} ledger ${rec.ledger}`;
  if (!out.duplicate && mis.submit_504 > 0) {
    mis.submit_504--;
    return { status: problem(res, 'timeout'), note: `${note}; misbehave submit_504: applied, answered 504` };
  }
  // Horizon answers when the transaction is in a closed ledger (or times out).
  const closed = await Promise.race([L.waitForClose(rec.ledger).then(() => true), sleep(args.submitTimeoutMs).then(() => false)]);
  if (!closed) return { status: problem(res, 'timeout'), note: `${note}; not closed within ${args.submitTimeoutMs} ms` };
  if (!rec.successful) {
    return { status: problem(res, 'transaction_failed', { envelope_xdr: rec.envelope_xdr, result_codes: rec.result_codes, result_xdr: rec.result_xdr }), note };
  }
  send(res, 200, txJson(rec, base));
  return { status: 200, note };
}

// ---- Control API
class ControlError extends Error {}
const need = (cond, msg) => { if (!cond) throw new ControlError(msg); };
const isG = (a) => typeof a === 'string' && StrKey.isValidEd25519PublicKey(a);
const isGorM = (a) => isG(a) || (typeof a === 'string' && StrKey.isValidMed25519PublicKey(a));
function stroopsArg(v, what) {
  const s = toStroops(v);
  need(s !== null, `${what} must be a decimal amount with at most 7 decimals`);
  return s;
}
function memoArg(p) {
  const t = p.memo_type || (p.memo === undefined || p.memo === null ? 'none' : 'text');
  try {
    switch (t) {
      case 'none': return null;
      case 'text': return Memo.text(String(p.memo));
      case 'id': return Memo.id(String(p.memo));
      case 'hash': return Memo.hash(String(p.memo));
      case 'return': return Memo.return(String(p.memo));
      default: throw new Error(`memo_type must be none, text, id, hash or return`);
    }
  } catch (e) { throw new ControlError(`bad memo: ${e.message}`); }
}
function recSummary(rec) { return { hash: rec.hash, ledger: rec.ledger, successful: rec.successful }; }

const C = {
  fund(p) {
    need(isG(p.account), 'account must be a G... address');
    const xlm = p.xlm === undefined ? '10000' : String(p.xlm);
    const amount = stroopsArg(xlm, 'xlm');
    need(amount > 0n, 'xlm must be positive');
    const op = L.open.has(p.account) ? Operation.payment({ destination: p.account, asset: Asset.native(), amount: amountText(amount) })
      : Operation.createAccount({ destination: p.account, startingBalance: amountText(amount) });
    try { return recSummary(L.controlTx(L.root, [op], null)); } catch (e) { throw new ControlError(e.message); }
  },
  pay(p) {
    need(isG(p.from), 'from must be a G... address');
    need(isGorM(p.to), 'to must be a G... or M... address');
    const amount = stroopsArg(p.amount, 'amount');
    need(amount > 0n, 'amount must be positive');
    let asset;
    try { asset = parseAsset(p.asset); } catch (e) { throw new ControlError(e.message); }
    const memo = memoArg(p);
    const successful = p.successful === undefined ? true : !!p.successful;
    // The sender is the outside world: created if missing, topped up as needed (no record).
    const fee = L.baseFee;
    let from = L.open.get(p.from);
    if (!from) from = L.createAccount(L.open, p.from, 0n, L.openSeq);
    if (asset.isNative()) {
      const want = amount + fee + L.minBalance(from);
      if (from.balance < want) from.balance = want;
    } else {
      if (from.balance < fee + L.minBalance(from, 1)) from.balance = fee + L.minBalance(from, 1);
      if (asset.getIssuer() !== p.from) {
        const key = `${asset.getCode()}:${asset.getIssuer()}`;
        let line = from.lines.get(key);
        if (!line) { line = { asset, balance: 0n, limit: MAX_I64, lastModified: L.openSeq }; from.lines.set(key, line); from.subentries++; }
        if (line.balance < amount) line.balance = amount;
      }
    }
    const op = Operation.payment({ destination: p.to, asset, amount: amountText(amount) });
    try { return recSummary(L.controlTx(p.from, [op], memo, { successful })); } catch (e) { throw new ControlError(e.message); }
  },
  set_data(p) {
    need(isG(p.account) && L.open.has(p.account), 'account must be an existing G... account');
    need(typeof p.name === 'string' && p.name.length >= 1 && p.name.length <= 64, 'name: 1 to 64 characters');
    need(p.value === null || p.value === undefined || (typeof p.value === 'string' && Buffer.byteLength(p.value) <= 64), 'value: a string of at most 64 bytes, or null to remove');
    const op = Operation.manageData({ name: p.name, value: p.value === undefined ? null : p.value });
    try { return recSummary(L.controlTx(p.account, [op], null)); } catch (e) { throw new ControlError(e.message); }
  },
  trust(p) {
    need(isG(p.account) && L.open.has(p.account), 'account must be an existing G... account');
    let asset;
    try { asset = parseAsset(p.asset); } catch (e) { throw new ControlError(e.message); }
    need(!asset.isNative(), 'asset must be CODE:ISSUER');
    const limit = p.limit === undefined ? MAX_I64 : stroopsArg(p.limit, 'limit');
    const op = Operation.changeTrust({ asset, limit: amountText(limit) });
    try { return recSummary(L.controlTx(p.account, [op], null)); } catch (e) { throw new ControlError(e.message); }
  },
  close() { return { ledger: L.close() }; },
  // Many pay commands at once (benchmarks): a ledger closed after every `per_ledger` (1000).
  pay_many(p) {
    need(Array.isArray(p.payments) && p.payments.length >= 1, 'payments must be a list of pay commands');
    const per = p.per_ledger === undefined ? 1000 : p.per_ledger;
    need(Number.isInteger(per) && per >= 1 && per <= 4000, 'per_ledger must be 1 to 4000');
    const hashes = [];
    p.payments.forEach((one, i) => { hashes.push(C.pay(one).hash); if ((i + 1) % per === 0) L.close(); });
    L.close();
    return { count: hashes.length, hashes };
  },
  misbehave(p) {
    if (p.clear) mis = freshMis();
    for (const k of ['submit_504', 'submit_504_unapplied']) {
      if (p[k] !== undefined) { need(Number.isInteger(p[k]) && p[k] >= 0, `${k} must be a count`); mis[k] = p[k]; }
    }
    if (p.unreachable_ms !== undefined) { need(Number.isFinite(p.unreachable_ms) && p.unreachable_ms >= 0, 'unreachable_ms must be >= 0'); mis.unreachable_until = Date.now() + p.unreachable_ms; }
    if (p.unavailable_ms !== undefined) { need(Number.isFinite(p.unavailable_ms) && p.unavailable_ms >= 0, 'unavailable_ms must be >= 0'); mis.unavailable_until = Date.now() + p.unavailable_ms; }
    return { misbehave: { submit_504: mis.submit_504, submit_504_unapplied: mis.submit_504_unapplied, unreachable_ms: Math.max(0, mis.unreachable_until - Date.now()), unavailable_ms: Math.max(0, mis.unavailable_until - Date.now()) } };
  },
  advance_time(p) {
    need(Number.isInteger(p.seconds), 'seconds must be an integer');
    L.clockOffset += p.seconds;
    return { now: L.now() };
  },
  state() {
    const accounts = [...L.open.values()].map((a) => ({
      id: a.id, sequence: a.seq.toString(), balance: amountText(a.balance), subentry_count: a.subentries,
      lines: [...a.lines.entries()].map(([k, l]) => ({ asset: k, balance: amountText(l.balance), limit: amountText(l.limit) })),
      data: Object.fromEntries([...a.data].map(([k, v]) => [k, v.toString('base64')])),
    }));
    const txs = [...L.history, ...L.pending].map((r) => ({
      hash: r.hash, ledger: r.ledger, closed: r.closed_at !== null, via: r.via, successful: r.successful, source_account: r.source_account,
      sequence: r.sequence, fee_charged: r.fee_charged.toString(), memo_type: r.memo_type, memo: r.memo === undefined ? null : r.memo,
      result_codes: r.result_codes, ops: r.ops,
    }));
    return { closed_ledger: L.closedSeq, open_ledger: L.openSeq, now: L.now(), root: L.root, accounts, transactions: txs };
  },
  reset() {
    const old = L;
    L = newLedger();
    mis = freshMis();
    // Submissions waiting for the old open ledger answer (with what they had; it is gone).
    old.closedSeq = Infinity;
    for (const w of old.waiters.splice(0)) w();
    return {};
  },
};

async function handleControl(req, res) {
  const text = await readBody(req);
  let p;
  try { p = JSON.parse(text); } catch (e) { p = null; }
  if (!p || typeof p !== 'object' || Array.isArray(p)) { log('control <unparseable> -> 400'); return send(res, 400, { ok: false, error: 'body must be a JSON object' }, 'application/json'); }
  const command = p.command !== undefined ? p.command : p.action;
  const fn = typeof command === 'string' && Object.prototype.hasOwnProperty.call(C, command) ? C[command] : null;
  if (!fn) { log(`control ${command} -> unknown command`); return send(res, 400, { ok: false, error: `unknown command ${JSON.stringify(command)}` }, 'application/json'); }
  try {
    const out = fn(p);
    if (p.close === true && command !== 'close') out.closed_ledger = L.close();
    log(`control ${command} -> ok${out.hash ? ` ${out.hash} ledger ${out.ledger}` : ''}${p.close === true && command !== 'close' ? ` (closed ${out.closed_ledger})` : ''}`);
    return send(res, 200, { ok: true, ...out }, 'application/json');
  } catch (e) {
    if (!(e instanceof ControlError)) log(`control ${command} -> internal error ${e.stack}`);
    else log(`control ${command} -> error: ${e.message}`);
    return send(res, 400, { ok: false, error: e.message }, 'application/json');
  }
}

// ---- Routing
async function route(req, res) {
  const url = new URL(req.url || '/', 'http://x');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const base = `http://${req.headers.host || `${args.host}:${server.address().port}`}`;
  const q = url.searchParams;
  let m;
  if (req.method === 'GET' && path === '/') { send(res, 200, rootJson(base)); return 200; }
  if (req.method === 'GET' && (m = /^\/accounts\/([^/]+)$/.exec(path))) {
    const id = decodeURIComponent(m[1]);
    if (!isG(id)) return problem(res, 'bad_request', { invalid_field: 'account_id', reason: 'Account ID must start with `G` and contain 56 alphanum characters' });
    const a = L.closed.get(id);
    if (!a) return problem(res, 'not_found');
    send(res, 200, accountJson(a, base));
    return 200;
  }
  if (req.method === 'GET' && (m = /^\/accounts\/([^/]+)\/payments$/.exec(path))) {
    const id = decodeURIComponent(m[1]);
    if (!isG(id)) return problem(res, 'bad_request', { invalid_field: 'account_id', reason: 'Account ID must start with `G` and contain 56 alphanum characters' });
    return listPayments(res, base, path, q, id);
  }
  if (req.method === 'GET' && path === '/payments') return listPayments(res, base, path, q, null);
  if (req.method === 'GET' && (m = /^\/transactions\/([^/]+)$/.exec(path))) {
    const hash = m[1].toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash)) return problem(res, 'bad_request', { invalid_field: 'tx_id', reason: 'Invalid transaction hash' });
    const rec = L.byHash.get(hash);
    if (!rec || rec.closed_at === null) return problem(res, 'not_found');
    send(res, 200, txJson(rec, base));
    return 200;
  }
  if (req.method === 'GET' && (m = /^\/ledgers\/(\d+)$/.exec(path))) {
    const l = L.ledgers[Number(m[1]) - 1];
    if (!l) return problem(res, 'not_found');
    send(res, 200, ledgerJson(l, base));
    return 200;
  }
  if (req.method === 'GET' && path === '/ledgers') {
    // Enough for "the latest ledger": ?order=desc&limit=1.
    const desc = q.get('order') === 'desc';
    const limit = Math.min(200, Math.max(1, Number(q.get('limit') || 10) || 10));
    const ls = (desc ? [...L.ledgers].reverse() : L.ledgers).slice(0, limit);
    send(res, 200, { _links: { self: { href: `${base}/ledgers?limit=${limit}&order=${desc ? 'desc' : 'asc'}` } }, _embedded: { records: ls.map((l) => ledgerJson(l, base)) } });
    return 200;
  }
  if (req.method === 'GET' && path === '/fee_stats') { send(res, 200, feeStatsJson()); return 200; }
  if (path === '/transactions' && req.method === 'POST') {
    const r = await submitTransaction(req, res, base);
    return r;
  }
  return problem(res, 'not_found');
}

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (path === '/control') {
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'POST only' }, 'application/json');
    handleControl(req, res).catch((e) => { log(`control: ${e.message}`); req.socket.destroy(); });
    return;
  }
  if (mis.unreachable_until && Date.now() < mis.unreachable_until) { log(`${req.method} ${req.url} -> connection reset (misbehave unreachable_ms)`); req.socket.destroy(); return; }
  if (mis.unavailable_until && Date.now() < mis.unavailable_until) { const s = problem(res, 'service_unavailable'); log(`${req.method} ${req.url} -> ${s} (misbehave unavailable_ms)`); return; }
  route(req, res).then((r) => {
    const status = typeof r === 'object' ? r.status : r;
    const note = typeof r === 'object' && r.note ? ` ${r.note}` : '';
    log(`${req.method} ${path} -> ${status}${note}`);
  }).catch((e) => {
    log(`${req.method} ${path} -> internal error ${e.stack}`);
    if (!res.headersSent) send(res, 500, { type: 'https://stellar.org/horizon-errors/server_error', title: 'Internal Server Error', status: 500, detail: 'An error occurred while processing this request.' }, 'application/problem+json; charset=utf-8');
  });
});
server.keepAliveTimeout = 5000;

let closeTimer = null;
server.listen(args.port, args.host, () => {
  const port = server.address().port;
  if (args.portFile) {
    fs.writeFileSync(`${args.portFile}.tmp`, `${port}\n`);
    fs.renameSync(`${args.portFile}.tmp`, args.portFile);
  }
  if (args.closeMs > 0) closeTimer = setInterval(() => L.close(), args.closeMs);
  log(`listening on http://${args.host}:${port}/ (${JSON.stringify(args.passphrase)}, close every ${args.closeMs ? `${args.closeMs} ms` : 'command only'}, base fee ${args.baseFee}, base reserve ${args.baseReserve})`);
});
server.on('error', (e) => { console.error(`horizon double: ${e.message}`); process.exit(1); });

function shutdown(sig) {
  log(`${sig}: exiting`);
  if (closeTimer) clearInterval(closeTimer);
  server.close(() => process.exit(0));
  if (server.closeAllConnections) server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

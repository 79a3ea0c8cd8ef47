#!/usr/bin/env node
'use strict';
// A stand-in for rippled: its JSON-RPC API (v1) over HTTP on POST /, and a control API on
// POST /control that tests use to fund wallets, make payments, close ledgers and misbehave.
//   node server.js --port N [--port-file F] [--close-ms MS] [--host H]
//                  [--reserve-base DROPS] [--reserve-inc DROPS] [--base-fee DROPS]
// See ../README.md for the control API.

const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
const codec = require('ripple-binary-codec');
const keypairs = require('ripple-keypairs');
const { Ledger, GENESIS, txHash } = require('./ledger');
const { makeMethods, RpcError, ERRORS } = require('./rpc');

// ---- arguments
function parseArgs(argv) {
  const o = { port: 5005, portFile: null, closeMs: 1000, host: '127.0.0.1', reserveBase: null, reserveInc: null, baseFee: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--port') o.port = Number(v());
    else if (a === '--port-file') o.portFile = v();
    else if (a === '--close-ms') o.closeMs = Number(v());
    else if (a === '--host') o.host = v();
    else if (a === '--reserve-base') o.reserveBase = BigInt(v());
    else if (a === '--reserve-inc') o.reserveInc = BigInt(v());
    else if (a === '--base-fee') o.baseFee = BigInt(v());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error('bad --port');
  if (!Number.isFinite(o.closeMs) || o.closeMs < 0) throw new Error('bad --close-ms');
  return o;
}

let args;
try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`rippled double: ${e.message}`); process.exit(2); }

const log = (line) => process.stdout.write(`[rippled-double] ${line}\n`);

// ---- state
function freshMis() {
  return { drop_submit_response: 0, submit_result: null, submit_result_count: 0, hold_submissions: false, unreachable_until: 0, delay_ms: 0 };
}
const baseOpts = {};
if (args.reserveBase !== null) baseOpts.reserve_base = args.reserveBase;
if (args.reserveInc !== null) baseOpts.reserve_inc = args.reserveInc;
if (args.baseFee !== null) baseOpts.base_fee = args.baseFee;
const srv = { started: Date.now(), mis: freshMis(), submits: 0 };
let L = new Ledger({ ...baseOpts });
let M = makeMethods(L, srv);
const wallets = new Map(); // address -> signer (the double holds these keys)

// A signer for a seed. ed25519 signs with Node's crypto (RFC 8032 signatures are deterministic,
// so they equal ripple-keypairs' byte for byte, and are ~20x faster: bulk_pay needs that);
// secp256k1 signs with ripple-keypairs.
const b64u = (hex) => Buffer.from(hex, 'hex').toString('base64url');
function makeSigner(seed) {
  const kp = keypairs.deriveKeypair(seed);
  const address = keypairs.deriveAddress(kp.publicKey);
  let sign;
  if (kp.publicKey.startsWith('ED')) {
    const key = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(kp.privateKey.slice(2)), x: b64u(kp.publicKey.slice(2)) }, format: 'jwk' });
    sign = (hexMsg) => crypto.sign(null, Buffer.from(hexMsg, 'hex'), key).toString('hex').toUpperCase();
  } else {
    sign = (hexMsg) => keypairs.sign(hexMsg, kp.privateKey);
  }
  return { address, seed, publicKey: kp.publicKey, sign };
}
function resetState() {
  L = new Ledger({ ...baseOpts });
  M = makeMethods(L, srv);
  srv.mis = freshMis();
  srv.submits = 0;
  wallets.clear();
  wallets.set(GENESIS.address, makeSigner(GENESIS.seed));
}
wallets.set(GENESIS.address, makeSigner(GENESIS.seed));

// ---- closing ledgers
let closeTimer = null;
function closeLedger(skip = 0) {
  const index = L.close(skip);
  return index;
}
if (args.closeMs > 0) {
  closeTimer = setInterval(() => { closeLedger(); }, args.closeMs);
}

// ---- the double's own transactions
class ControlError extends Error {}
const need = (cond, msg) => { if (!cond) throw new ControlError(msg); };
function signerOf(address) {
  const w = wallets.get(address);
  need(w, `the double holds no key for ${address}`);
  return w;
}
// Next Sequence for an account: the open ledger's, past any held/queued ones that will apply.
function nextSequence(address) {
  let seq = L.openSequence(address);
  need(seq !== null, `account ${address} not found in the open ledger`);
  for (const e of L.held) if (e.tx.Account === address && e.tx.Sequence >= seq) seq = e.tx.Sequence + 1;
  return seq;
}
function signBlob(w, tx) {
  tx.SigningPubKey = w.publicKey;
  tx.TxnSignature = w.sign(codec.encodeForSigning(tx));
  return codec.encode(tx);
}
function fill(w, tx) {
  return {
    Account: w.address, Fee: L.opts.base_fee.toString(), Flags: 0, Sequence: nextSequence(w.address),
    LastLedgerSequence: L.currentIndex + 20, ...tx,
  };
}
// Submits through the RPC submit method (the path a client's blob takes), bypassing misbehaviour.
function submitInternal(blob, selfSigned = false) {
  const ctx = { internal: true, selfSigned };
  return M.submit({ tx_blob: blob }, ctx);
}
function submitAndMaybeClose(w, tx, close) {
  return submitBlobAndMaybeClose(signBlob(w, fill(w, tx)), close);
}
function submitBlobAndMaybeClose(blob, close) {
  const r = submitInternal(blob);
  if (!r.tx_json) throw new ControlError(`submit refused: ${JSON.stringify(r)}`);
  const out = { hash: r.tx_json.hash, engine_result: r.engine_result };
  if (close) {
    closeLedger();
    const rec = L.txs.get(out.hash);
    out.ledger_index = rec ? rec.ledger_index : L.lastClosed.index;
    out.validated_ledger = L.validated.index;
    if (rec) out.final_result = rec.meta.TransactionResult;
  }
  return out;
}
const drops = (v, field) => {
  need(v !== undefined && /^\d+$/.test(String(v)), `${field} must be a drops string`);
  return String(v);
};
function amountOf(v, field) {
  if (typeof v === 'object' && v !== null) {
    need(typeof v.currency === 'string' && typeof v.issuer === 'string' && v.value !== undefined, `${field}: {currency, issuer, value}`);
    return { currency: v.currency, issuer: v.issuer, value: String(v.value) };
  }
  return drops(v, field);
}

const C = {};
C.wallet = (p) => {
  const xrp = drops(p.xrp === undefined ? '1000000000' : p.xrp, 'xrp');
  const algorithm = p.key_type === undefined ? 'secp256k1' : p.key_type;
  need(algorithm === 'secp256k1' || algorithm === 'ed25519', 'key_type: secp256k1 or ed25519');
  const seed = keypairs.generateSeed({ algorithm: algorithm === 'ed25519' ? 'ed25519' : 'ecdsa-secp256k1' });
  const w = makeSigner(seed);
  wallets.set(w.address, w);
  const r = submitAndMaybeClose(signerOf(GENESIS.address), { TransactionType: 'Payment', Destination: w.address, Amount: xrp }, true);
  need(r.final_result === 'tesSUCCESS', `funding payment failed: ${r.final_result || r.engine_result}`);
  return { address: w.address, seed: w.seed, public_key: w.publicKey, hash: r.hash, ledger_index: r.ledger_index };
};
C.fund = (p) => {
  need(typeof p.address === 'string', 'address is required');
  const xrp = drops(p.xrp, 'xrp');
  const r = submitAndMaybeClose(signerOf(GENESIS.address), { TransactionType: 'Payment', Destination: p.address, Amount: xrp }, p.close !== false);
  need(r.engine_result === 'tesSUCCESS', `funding payment: ${r.engine_result}`);
  return r;
};
const tfPartialPayment = 0x00020000;
C.pay = (p) => {
  const w = signerOf(p.from);
  need(typeof p.to === 'string', 'to is required');
  const tx = { TransactionType: 'Payment', Destination: p.to, Amount: amountOf(p.amount, 'amount') };
  if (p.destination_tag !== undefined) tx.DestinationTag = Number(p.destination_tag);
  if (p.send_max !== undefined) tx.SendMax = amountOf(p.send_max, 'send_max');
  if (p.partial !== undefined) {
    need(p.partial && p.partial.deliver !== undefined, 'partial: {deliver}');
    tx.Flags = tfPartialPayment;
    const blob = signBlob(w, fill(w, tx));
    // The double delivers exactly `deliver` (a real partial payment of XRP would need a
    // cross-currency SendMax and an order book, which this double does not have).
    L.forcedDeliver.set(txHash(blob), amountOf(p.partial.deliver, 'partial.deliver'));
    return submitBlobAndMaybeClose(blob, p.close !== false);
  }
  return submitAndMaybeClose(w, tx, p.close !== false);
};
C.bulk_pay = async (p) => {
  const w = signerOf(p.from);
  need(typeof p.to === 'string', 'to is required');
  need(Array.isArray(p.destination_tags) && p.destination_tags.length > 0, 'destination_tags: [n, ...]');
  const amount = amountOf(p.amount, 'amount');
  const perLedger = p.per_ledger === undefined ? 1000 : Number(p.per_ledger);
  need(Number.isInteger(perLedger) && perLedger > 0, 'per_ledger must be a positive integer');
  const hashes = [];
  let inLedger = 0;
  for (const tag of p.destination_tags) {
    const tx = fill(w, { TransactionType: 'Payment', Destination: p.to, Amount: amount, DestinationTag: Number(tag) });
    const r = submitInternal(signBlob(w, tx), true);
    need(r.engine_result === 'tesSUCCESS', `payment with tag ${tag}: ${r.engine_result} (after ${hashes.length})`);
    hashes.push(r.tx_json.hash);
    if (++inLedger >= perLedger) {
      closeLedger();
      inLedger = 0;
      await new Promise((res) => setImmediate(res)); // let other requests in between ledgers
    }
  }
  closeLedger();
  const first = L.txs.get(hashes[0]);
  const last = L.txs.get(hashes[hashes.length - 1]);
  need(first && last, 'some payments did not make it into a ledger');
  return { count: hashes.length, first_ledger: first.ledger_index, last_ledger: last.ledger_index, validated_ledger: L.validated.index };
};
C.trust = (p) => {
  const w = signerOf(p.address);
  need(typeof p.currency === 'string' && typeof p.issuer === 'string' && p.limit !== undefined, 'currency, issuer, limit are required');
  return submitAndMaybeClose(w, { TransactionType: 'TrustSet', LimitAmount: { currency: p.currency, issuer: p.issuer, value: String(p.limit) } }, p.close !== false);
};
C.account_set = (p) => {
  const w = signerOf(p.address);
  const tx = { TransactionType: 'AccountSet' };
  if (p.set_flag !== undefined) tx.SetFlag = Number(p.set_flag);
  if (p.clear_flag !== undefined) tx.ClearFlag = Number(p.clear_flag);
  return submitAndMaybeClose(w, tx, p.close !== false);
};
C.close = (p) => {
  const skip = p.skip === undefined ? 0 : Number(p.skip);
  need(Number.isInteger(skip) && skip >= 0, 'skip must be a non-negative integer');
  closeLedger(skip);
  return { ledger_index: L.validated.index, closed_ledger: L.lastClosed.index };
};
C.misbehave = (p) => {
  const m = srv.mis;
  const num = (v, f) => { const n = Number(v); need(Number.isInteger(n) && n >= 0, `${f} must be a non-negative integer`); return n; };
  if (p.drop_submit_response !== undefined) m.drop_submit_response = num(p.drop_submit_response, 'drop_submit_response');
  if (p.submit_result !== undefined) {
    if (p.submit_result === null || p.submit_result === '') { m.submit_result = null; m.submit_result_count = 0; } else {
      need(typeof p.submit_result === 'string' && /^(tes|tec|tef|tel|tem|ter)[A-Z_]+$/.test(p.submit_result), 'submit_result: an engine result code');
      m.submit_result = p.submit_result;
      m.submit_result_count = p.count === undefined ? 1 : num(p.count, 'count');
    }
  }
  if (p.hold_submissions !== undefined) m.hold_submissions = !!p.hold_submissions;
  if (p.unreachable_ms !== undefined) { const n = num(p.unreachable_ms, 'unreachable_ms'); m.unreachable_until = n === 0 ? 0 : Date.now() + n; }
  if (p.delay_ms !== undefined) m.delay_ms = num(p.delay_ms, 'delay_ms');
  if (p.validation_lag !== undefined) L.validationLag = num(p.validation_lag, 'validation_lag');
  return {};
};
C.state = () => ({
  validated_ledger: L.validated.index, closed_ledger: L.lastClosed.index, current_ledger: L.currentIndex,
  accounts: L.lastClosed.state.accounts.size, queue: L.held.length, held: L.limbo.length, submits: srv.submits,
  open: L.pending.length,
});
C.reset = () => { resetState(); return { ledger_index: L.validated.index }; };
C.set = (p) => {
  for (const f of ['reserve_base', 'reserve_inc', 'base_fee']) {
    if (p[f] !== undefined) L.opts[f] = BigInt(drops(p[f], f));
    baseOpts[f] = L.opts[f];
  }
  return { reserve_base: L.opts.reserve_base.toString(), reserve_inc: L.opts.reserve_inc.toString(), base_fee: L.opts.base_fee.toString() };
};

// ---- HTTP
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 16 << 20) { reject(new Error('too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function handleRpc(req, res) {
  const text = await readBody(req);
  // rippled's ServerHandler: a body that is not a JSON object -> HTTP 400, plain text.
  let body;
  try { body = JSON.parse(text); } catch (e) { body = undefined; }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    log('rpc <unparseable> -> HTTP 400');
    return send(res, 400, 'Unable to parse request: \n', 'text/html');
  }
  if (body.method === undefined || body.method === null) return send(res, 400, 'Null method', 'text/html');
  if (typeof body.method !== 'string') return send(res, 400, 'method is not string', 'text/html');
  let params = {};
  if (body.params !== undefined && body.params !== null) {
    if (!Array.isArray(body.params) || body.params.length !== 1 || typeof body.params[0] !== 'object' || body.params[0] === null) {
      return send(res, 400, 'params unparseable', 'text/html');
    }
    params = body.params[0];
  }
  const method = body.method;
  const ctx = {};
  let result;
  try {
    const fn = Object.prototype.hasOwnProperty.call(M, method) ? M[method] : null;
    if (!fn) throw new RpcError('unknownCmd');
    result = { ...fn(params, ctx), status: 'success' };
    log(`rpc ${method} -> ${result.engine_result || 'success'}`);
  } catch (e) {
    if (!(e instanceof RpcError)) { log(`rpc ${method} -> internal error ${e.stack}`); e = new RpcError('internal', 'Internal error.'); e.rpc = 'internal'; e.code = 73; }
    result = e.bare ? { error: e.rpc } : { error: e.rpc, error_code: e.code || (ERRORS[e.rpc] ? ERRORS[e.rpc][0] : 73), error_message: e.message };
    Object.assign(result, e.extra, { request: { ...params, command: method }, status: 'error' });
    log(`rpc ${method} -> ${e.rpc}${e.extra && e.extra.error_exception ? ` (${e.extra.error_exception})` : ''}`);
  }
  if (srv.mis.delay_ms > 0) await sleep(srv.mis.delay_ms);
  if (ctx.drop) { log(`rpc ${method}: answer dropped (misbehave drop_submit_response)`); req.socket.destroy(); return; }
  return send(res, 200, { result });
}

async function handleControl(req, res) {
  const text = await readBody(req);
  let p;
  try { p = JSON.parse(text); } catch (e) { p = null; }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return send(res, 400, { ok: false, error: 'body must be a JSON object' });
  const action = p.action;
  const fn = typeof action === 'string' && Object.prototype.hasOwnProperty.call(C, action) ? C[action] : null;
  if (!fn) { log(`control ${action} -> unknown action`); return send(res, 400, { ok: false, error: `unknown action ${JSON.stringify(action)}` }); }
  try {
    const out = await fn(p);
    const summary = out.engine_result || (out.address ? `address ${out.address}` : 'ok'); // never the seed
    log(`control ${action} -> ${summary}`);
    return send(res, 200, { ok: true, ...out });
  } catch (e) {
    const msg = e instanceof ControlError ? e.message : `${e.message}`;
    if (!(e instanceof ControlError)) log(`control ${action} -> internal error ${e.stack}`);
    else log(`control ${action} -> error: ${msg}`);
    return send(res, 400, { ok: false, error: msg });
  }
}

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (path === '/control') {
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'POST only' });
    handleControl(req, res).catch((e) => { log(`control: ${e.message}`); req.socket.destroy(); });
    return;
  }
  if (srv.mis.unreachable_until && Date.now() < srv.mis.unreachable_until) { req.socket.destroy(); return; }
  if (path !== '/' || req.method !== 'POST') return send(res, 405, 'POST / only', 'text/plain');
  handleRpc(req, res).catch((e) => { log(`rpc: ${e.message}`); req.socket.destroy(); });
});
server.keepAliveTimeout = 5000;

server.listen(args.port, args.host, () => {
  const port = server.address().port;
  if (args.portFile) {
    fs.writeFileSync(`${args.portFile}.tmp`, `${port}\n`);
    fs.renameSync(`${args.portFile}.tmp`, args.portFile);
  }
  log(`listening on http://${args.host}:${port}/ (close every ${args.closeMs ? `${args.closeMs} ms` : 'command only'})`);
});
server.on('error', (e) => { console.error(`rippled double: ${e.message}`); process.exit(1); });

function shutdown(sig) {
  log(`${sig}: exiting`);
  if (closeTimer) clearInterval(closeTimer);
  server.close(() => process.exit(0));
  server.closeAllConnections && server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

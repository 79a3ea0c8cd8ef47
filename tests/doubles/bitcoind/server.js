#!/usr/bin/env node
'use strict';
// A stand-in for bitcoind: a regtest-like chain of one wallet that mines on demand, reorgs,
// conflicts transactions and goes away on request (README.md).
//   node server.js --port N [--port-file F] [--rpcuser U --rpcpassword P | --cookie-file F] [--wallet NAME]
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
const bitcoin = require('bitcoinjs-lib');
const ecc = require('@bitcoinerlab/secp256k1');
const { ECPairFactory } = require('ecpair');
const { parseJson, toJson, plain, Btc, RawNum, parseSats, fmt } = require('./amount');
bitcoin.initEccLib(ecc);
const ECPair = ECPairFactory(ecc);
const NET = bitcoin.networks.regtest;

const o = { port: 18443, portFile: null, user: null, pass: null, cookieFile: null, wallet: '', host: '127.0.0.1' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]; const v = () => argv[++i];
  if (a === '--port') o.port = Number(v()); else if (a === '--port-file') o.portFile = v();
  else if (a === '--rpcuser') o.user = v(); else if (a === '--rpcpassword') o.pass = v();
  else if (a === '--cookie-file') o.cookieFile = v(); else if (a === '--wallet') o.wallet = v();
  else if (a === '--host') o.host = v();
  else { console.error(`bitcoind double: unknown argument ${a}`); process.exit(2); }
}
const creds = [];
if (o.user !== null) creds.push(`${o.user}:${o.pass || ''}`);
if (o.cookieFile) {
  const c = `__cookie__:${crypto.randomBytes(32).toString('hex')}`;
  fs.writeFileSync(o.cookieFile + '.tmp', c, { mode: 0o600 }); fs.renameSync(o.cookieFile + '.tmp', o.cookieFile);
  creds.push(c);
}
const log = (l) => process.stdout.write(`[bitcoind-double] ${l}\n`);

const GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
let chain; let blocks; let labels; let txs; let mis;
function reset() { chain = [{ hash: GENESIS, height: 0, time: 1296688602, prev: null, txids: [] }]; blocks = new Map([[GENESIS, chain[0]]]); labels = new Map(); txs = new Map(); mis = { drop_send_response: 0, fee_errors: false, send_answer_delay_ms: 0, unreachable_until: 0 }; }
let feerate = 1000n; // sat/kvB of estimatesmartfee = 0.00001000 BTC/kvB
function newTx(t) { // a real-looking txid: the id of a real (unsigned) transaction
  const x = new bitcoin.Transaction(); x.addInput(crypto.randomBytes(32), 0);
  if (!t.outputs) t.outputs = [{ address: t.address, sats: t.sats }];
  t.outputs.forEach((out, i) => { out.vout = i; x.addOutput(bitcoin.address.toOutputScript(out.address, NET), Number(out.sats)); });
  if (t.cat === 'receive') t.sats = t.outputs.reduce((a, out) => a + out.sats, 0n);
  t.txid = x.getId(); t.hex = x.toHex(); t.time = Math.floor(Date.now() / 1000); t.height = null; t.conflict = null; t.gone = false;
  txs.set(t.txid, t); return t;
}
function conf(t) {
  if (t.conflict) {
    // A conflict of the wallet's own (a replacement) counts from its block once mined;
    // until then the original is simply unconfirmed.
    const c = txs.get(t.conflict.txid); const h = c ? (c.conflict ? null : c.height) : t.conflict.height;
    return h === null ? 0 : -(tip().height - h + 1);
  }
  if (t.height !== null) return tip().height - t.height + 1;
  return 0;
}
function balances() {
  let trusted = 0n, pending = 0n, immature = 0n;
  for (const t of txs.values()) {
    const c = conf(t); if (c < 0 || t.gone || t.conflict) continue;
    if (t.cat === 'send') trusted -= t.sats + t.fee;
    else if (t.cat === 'generate') { if (c >= 100) trusted += t.sats; else if (c >= 1) immature += t.sats; }
    else { const mine = t.outputs.filter((out) => labels.has(out.address)).reduce((a, out) => a + out.sats, 0n); if (c >= 1) trusted += mine; else pending += mine; }
  }
  return { trusted, pending, immature };
}
function entries(t) { // one per output of ours (receive), one for a send or a coinbase
  if (t.cat !== 'receive') return [entry(t, t.outputs[0])];
  return t.outputs.filter((out) => labels.has(out.address)).map((out) => entry(t, out));
}
function entry(t, out) {
  out = out || t.outputs[0];
  const c = conf(t); const e = { address: out.address, category: t.cat === 'generate' ? (c >= 100 ? 'generate' : 'immature') : t.cat,
    amount: new Btc(t.cat === 'send' ? -out.sats : out.sats), label: labels.get(out.address), vout: out.vout };
  if (t.cat === 'send') { e.fee = new Btc(-t.fee); e.abandoned = false; }
  e.confirmations = c; if (t.cat === 'generate') e.generated = true;
  if (t.height !== null && !t.conflict) { e.blockhash = chain[t.height].hash; e.blockheight = t.height; e.blockindex = 1; e.blocktime = chain[t.height].time; }
  e.txid = t.txid; e.walletconflicts = [...(t.conflict ? [t.conflict.txid] : []), ...(t.replaces ? [t.replaces] : [])]; e.time = t.time; e.timereceived = t.time;
  e['bip125-replaceable'] = 'no'; if (t.comment) e.comment = t.comment; if (t.to) e.to = t.to;
  return e;
}
reset();
function mine(n) {
  for (let k = 0; k < n; k++) {
    const prev = chain[chain.length - 1];
    const b = { hash: crypto.randomBytes(32).toString('hex'), height: prev.height + 1, time: Math.max(prev.time + 1, Math.floor(Date.now() / 1000)), prev: prev.hash, txids: [] };
    for (const t of txs.values()) if (t.height === null && !t.conflict && !t.gone) { t.height = b.height; b.txids.push(t.txid); }
    chain.push(b); blocks.set(b.hash, b);
  }
}
class RpcError extends Error { constructor(code, msg) { super(msg); this.code = code; } }
const tip = () => chain[chain.length - 1];
function checkAddress(a) {
  try { return bitcoin.address.toOutputScript(String(a), NET); } catch (e) { return null; }
}
const methods = {
  getblockcount: () => tip().height,
  getbestblockhash: () => tip().hash,
  getblockhash: ([h]) => { h = plain(h); if (!Number.isInteger(h) || h < 0 || h > tip().height) throw new RpcError(-8, 'Block height out of range'); return chain[h].hash; },
  getbalances: (_, wallet) => { wallet(); const b = balances(); return { mine: { trusted: new Btc(b.trusted), untrusted_pending: new Btc(b.pending), immature: new Btc(b.immature) } }; },
  estimatesmartfee: ([ct]) => {
    ct = plain(ct); if (!Number.isInteger(ct) || ct < 1 || ct > 1008) throw new RpcError(-8, 'Invalid conf_target, must be between 1 and 1008');
    if (mis.fee_errors) return { errors: ['Insufficient data or no feerate found'], blocks: 0 };
    return { feerate: new Btc(feerate), blocks: Math.max(2, ct) };
  },
  gettransaction: ([id], wallet) => {
    wallet(); const t = txs.get(String(id));
    if (!/^[0-9a-f]{64}$/.test(String(id))) throw new RpcError(-8, `txid must be of length 64 (not ${String(id).length}, for '${id}')`);
    if (!t) throw new RpcError(-5, 'Invalid or non-wallet transaction id');
    const all = entries(t); const e = all[0] || entry(t);
    const details = all.map((x) => ({ address: x.address, category: x.category, amount: x.amount, label: x.label, vout: x.vout, fee: x.fee, abandoned: x.abandoned }));
    const total = t.cat === 'send' ? e.amount : new Btc(all.reduce((a, x) => a + t.outputs[x.vout].sats, 0n));
    const r = { ...e, amount: total, fee: e.fee, details, hex: t.hex };
    delete r.address; delete r.category; delete r.label; delete r.vout; delete r.abandoned; return r;
  },
  sendtoaddress: ([addr, amt, comment, commentTo, subtract, , , , , feeRate], wallet) => {
    wallet();
    if (!checkAddress(addr)) throw new RpcError(-5, `Invalid Bitcoin address: ${addr}`);
    const sats = parseSats(amt instanceof RawNum ? amt.text : amt);
    if (sats === null) throw new RpcError(-3, 'Invalid amount');
    if (sats <= 0n) throw new RpcError(-3, 'Invalid amount for send');
    const rate = feeRate !== undefined && feeRate !== null ? parseSats(feeRate instanceof RawNum ? feeRate.text : feeRate) / 100000n : feerate; // fee_rate in sat/vB -> sat/kvB
    const fee = (rate * 141n + 999n) / 1000n;
    const paid = subtract ? sats - fee : sats;
    if (paid <= 0n) throw new RpcError(-6, 'The transaction amount is too small to pay the fee');
    if (paid + fee > balances().trusted) throw new RpcError(-6, 'Insufficient funds');
    const t = newTx({ cat: 'send', address: addr, sats: paid, fee, comment: comment || undefined, to: commentTo || undefined });
    if (mis.drop_send_response > 0) { mis.drop_send_response--; throw Object.assign(new Error('drop'), { drop: true }); }
    return t.txid;
  },
  // bitcoind's ListSinceBlock: from the fork point of `blockhash` with the active chain;
  // with include_removed, the wallet's transactions of the blocks that left the chain.
  listsinceblock: ([bh, tc = 1, , includeRemoved = true], wallet) => {
    wallet(); tc = plain(tc);
    if (!Number.isInteger(tc) || tc < 1) throw new RpcError(-8, 'Invalid parameter');
    let h = -1; const removed = [];
    if (bh) {
      let b = blocks.get(String(bh)); if (!b) throw new RpcError(-5, 'Block not found');
      while (chain[b.height] !== b) {
        if (includeRemoved) for (const id of b.txids) { const t = txs.get(id); if (t) removed.push(...entries(t)); }
        b = blocks.get(b.prev);
      }
      h = b.height;
    }
    const depth = h < 0 ? -1 : tip().height + 1 - h;
    const transactions = [...txs.values()].filter((t) => !t.gone && (depth < 0 || Math.abs(conf(t)) < depth)).flatMap(entries);
    const out = { transactions }; if (includeRemoved) out.removed = removed;
    out.lastblock = chain[Math.max(0, tip().height + 1 - tc)].hash; return out;
  },
  listtransactions: ([label = '*', count = 10, skip = 0], wallet) => {
    wallet(); count = plain(count); skip = plain(skip);
    if (!Number.isInteger(count) || count < 0) throw new RpcError(-8, 'Negative count');
    if (!Number.isInteger(skip) || skip < 0) throw new RpcError(-8, 'Negative from');
    const all = [...txs.values()].filter((t) => !t.gone).flatMap(entries).filter((e) => label === '*' || e.label === label);
    return all.slice(Math.max(0, all.length - skip - count), all.length - skip);
  },
  getblockchaininfo: () => ({ chain: 'regtest', blocks: tip().height, headers: tip().height, bestblockhash: tip().hash, time: tip().time, mediantime: tip().time, verificationprogress: 1, initialblockdownload: false, pruned: false, warnings: [] }),
  getnewaddress: ([label = '', type = 'bech32'], wallet) => {
    wallet();
    if (type !== 'bech32') throw new RpcError(-5, `Unknown address type '${type}'`);
    const k = ECPair.makeRandom({ network: NET });
    const addr = bitcoin.payments.p2wpkh({ pubkey: Buffer.from(k.publicKey), network: NET }).address;
    labels.set(addr, String(label)); return addr;
  },
  validateaddress: ([a]) => {
    const s = checkAddress(a);
    if (!s) return { isvalid: false, error_locations: [], error: 'Invalid or unsupported Segwit (Bech32) or Base58 encoding.' };
    return { isvalid: true, address: a, scriptPubKey: s.toString('hex'), isscript: false, iswitness: s[0] === 0 || s[0] >= 0x51 };
  },
  getaddressinfo: ([a], wallet) => {
    wallet(); const s = checkAddress(a);
    if (!s) throw new RpcError(-5, 'Invalid address');
    return { address: a, scriptPubKey: s.toString('hex'), ismine: labels.has(a), iswatchonly: false, labels: labels.has(a) ? [labels.get(a)] : [] };
  },
};
function handleRpc(req, body, res) {
  const send = (status, obj) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(toJson(obj) + '\n'); };
  let r;
  try { r = parseJson(body); } catch (e) { return send(500, { result: null, error: { code: -32700, message: 'Parse error' }, id: null }); }
  const v2 = r.jsonrpc === '2.0'; const id = r.id === undefined ? null : r.id;
  const m = methods[r.method];
  if (!m) return send(v2 ? 200 : 404, v2 ? { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id } : { result: null, error: { code: -32601, message: 'Method not found' }, id });
  const wm = /^\/wallet\/(.*)$/.exec(req.url);
  const wallet = () => { if (wm && decodeURIComponent(wm[1]) !== o.wallet) throw new RpcError(-18, 'Requested wallet does not exist or is not loaded'); };
  try {
    const result = m(Array.isArray(r.params) ? r.params : [], wallet);
    log(`${r.method} ok`);
    const answer = () => send(200, v2 ? { jsonrpc: '2.0', result, id } : { result, error: null, id });
    // A send made, its answer late (a test kills the caller in between).
    if (r.method === 'sendtoaddress' && mis.send_answer_delay_ms > 0) return setTimeout(answer, mis.send_answer_delay_ms);
    answer();
  } catch (e) {
    if (e.drop) { log(`${r.method} done, answer dropped`); return res.destroy(); }
    if (!(e instanceof RpcError)) e = new RpcError(-1, e.message);
    log(`${r.method} error ${e.code}`);
    const error = { code: e.code, message: e.message };
    send(v2 ? 200 : 500, v2 ? { jsonrpc: '2.0', error, id } : { result: null, error, id });
  }
}
function handleControl(body, res) {
  let c; let out;
  try {
    c = JSON.parse(body);
    if (c.action === 'mine') { mine(Number(c.blocks ?? 1)); out = { height: tip().height, hash: tip().hash }; }
    else if (c.action === 'fund') { const a = methods.getnewaddress([], () => {}); const t = newTx({ cat: 'generate', address: a, sats: parseSats(c.amount ?? '50') }); mine(101); out = { txid: t.txid, address: a }; }
    else if (c.action === 'pay') {
      // One transaction paying `address` (or several `outputs`, any addresses: only the
      // wallet's show); `payments`: many transactions at once (for benchmarks).
      const output = (p) => { const sats = parseSats(String(p.amount)); if (sats === null || sats <= 0n) throw new Error('bad amount'); if (!checkAddress(p.address)) throw new Error('bad address'); return { address: p.address, sats }; };
      const one = (p) => { const outputs = (p.outputs || [p]).map(output); if (!outputs.some((x) => labels.has(x.address))) throw new Error('not a wallet address'); return newTx({ cat: 'receive', outputs }).txid; };
      if (Array.isArray(c.payments)) out = { txids: c.payments.map(one) }; else out = { txid: one(c) };
    }
    else if (c.action === 'reorg') {
      const d = Number(c.depth); if (!(d >= 1 && d < chain.length)) throw new Error('bad depth');
      const cut = tip().height - d + 1; chain.length = cut; // the detached blocks stay known (blocks)
      for (const t of txs.values()) { if (t.height !== null && t.height >= cut) t.height = null; if (t.conflict && t.conflict.height >= cut) t.conflict = null; if ((c.drop || []).includes(t.txid)) t.gone = true; }
      const keep = [...txs.values()].filter((t) => t.height === null && !t.gone && !t.conflict); for (const t of keep) t.gone = true;
      mine(Number(c.blocks ?? d)); for (const t of keep) t.gone = false; out = { height: tip().height, hash: tip().hash };
    }
    else if (c.action === 'conflict') {
      const t = txs.get(c.txid); if (!t || t.height !== null) throw new Error('not a wallet transaction in the mempool');
      mine(0); t.conflict = { txid: crypto.randomBytes(32).toString('hex'), height: tip().height + 1 }; mine(1); out = { conflict: t.conflict.txid };
    }
    else if (c.action === 'replace') {
      // bumpfee: a wallet send in the mempool replaced by one paying more fee, with the same
      // comment (bitcoind copies it); the original conflicts with it.
      const t = txs.get(c.txid); if (!t || t.cat !== 'send' || t.height !== null || t.conflict) throw new Error('not a wallet send in the mempool');
      const r = newTx({ cat: 'send', address: t.address, sats: t.sats, fee: t.fee * 2n, comment: t.comment, to: t.to });
      r.replaces = t.txid; t.conflict = { txid: r.txid, height: null }; out = { txid: r.txid };
    }
    else if (c.action === 'misbehave') { for (const k of Object.keys(mis)) if (k in c) mis[k] = c[k]; if ('unreachable_ms' in c) mis.unreachable_until = Date.now() + Number(c.unreachable_ms); out = {}; }
    else if (c.action === 'set') { if (c.feerate) feerate = parseSats(c.feerate); out = {}; }
    else if (c.action === 'state') out = { height: tip().height, hash: tip().hash, addresses: labels.size, sends: [...txs.values()].filter((t) => t.cat === 'send' && !t.gone).map((t) => ({ txid: t.txid, address: t.address, amount: fmt(t.sats), fee: fmt(t.fee), comment: t.comment || null, confirmations: conf(t) })) };
    else if (c.action === 'reset') { reset(); out = {}; }
    else throw new Error(`unknown action ${c.action}`);
    res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ ok: true, ...out }) + '\n');
  } catch (e) { res.writeHead(400, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ ok: false, error: e.message }) + '\n'); }
}
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url === '/control') return handleControl(body, res);
    if (Date.now() < mis.unreachable_until) return req.socket.destroy();
    if (creds.length) {
      const h = /^Basic (.*)$/.exec(req.headers.authorization || '');
      const got = h ? Buffer.from(h[1], 'base64').toString('utf8') : null;
      if (!creds.includes(got)) { res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"' }); return res.end(); }
    }
    if (req.method !== 'POST') { res.writeHead(405); return res.end('JSONRPC server handles only POST requests'); }
    handleRpc(req, body, res);
  });
});
server.listen(o.port, o.host, () => {
  const p = server.address().port;
  if (o.portFile) { fs.writeFileSync(o.portFile + '.tmp', String(p)); fs.renameSync(o.portFile + '.tmp', o.portFile); }
  log(`listening on ${o.host}:${p}`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));

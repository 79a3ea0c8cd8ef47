#!/usr/bin/env node
'use strict';
// A stand-in for bitcoind (work in progress: chain info, addresses and auth only so far).
//   node server.js --port N [--port-file F] [--rpcuser U --rpcpassword P | --cookie-file F] [--wallet NAME]
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
const bitcoin = require('bitcoinjs-lib');
const ecc = require('@bitcoinerlab/secp256k1');
const { ECPairFactory } = require('ecpair');
const { parseJson, toJson, plain } = require('./amount');
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
let chain; let labels;
function reset() { chain = [{ hash: GENESIS, height: 0, time: 1296688602 }]; labels = new Map(); }
reset();
function mine(n) {
  for (let k = 0; k < n; k++) {
    const prev = chain[chain.length - 1];
    chain.push({ hash: crypto.randomBytes(32).toString('hex'), height: prev.height + 1, time: Math.max(prev.time + 1, Math.floor(Date.now() / 1000)) });
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
    send(200, v2 ? { jsonrpc: '2.0', result, id } : { result, error: null, id });
  } catch (e) {
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
    else if (c.action === 'state') out = { height: tip().height, hash: tip().hash, addresses: labels.size };
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

#!/usr/bin/env node
'use strict';
// The bitcoind double's own test: starts server.js with a cookie file and talks to it over HTTP.
const { spawn } = require('child_process');
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const { parseJson, parseSats, plain } = require('./amount');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitcoind-double-'));
const portFile = path.join(dir, 'port'); const cookie = path.join(dir, 'cookie');
const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port', '0', '--port-file', portFile, '--cookie-file', cookie, '--wallet', 'omnid'], { stdio: ['ignore', 'ignore', 'inherit'] });
let port; let auth; let checks = 0;
function post(p, body, a = auth) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: a ? { Authorization: `Basic ${Buffer.from(a).toString('base64')}` } : {} }, (res) => {
      let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode, text: t }));
    });
    req.on('error', reject); req.end(body);
  });
}
let nid = 0;
async function rpc(method, params = [], p = '/wallet/omnid') {
  const r = await post(p, JSON.stringify({ method, params, id: ++nid }));
  return { status: r.status, text: r.text, ...(r.text ? parseJson(r.text) : {}) };
}
async function ok(method, params, p) { const r = await rpc(method, params, p); assert.strictEqual(r.error, null, `${method}: ${r.text}`); return r.result; }
const control = async (o) => { const r = JSON.parse((await post('/control', JSON.stringify(o))).text); assert(r.ok, JSON.stringify(r)); return r; };
const check = (name) => { checks++; console.log(`ok   ${name}`); };
const sats = (v) => parseSats(v.text);

async function main() {
  for (let i = 0; i < 100 && !fs.existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
  port = Number(fs.readFileSync(portFile, 'utf8')); auth = fs.readFileSync(cookie, 'utf8');
  assert.match(auth, /^__cookie__:[0-9a-f]{64}$/);
  assert.strictEqual((await post('/', '{"method":"getblockcount","id":1}', null)).status, 401);
  assert.strictEqual((await post('/', '{"method":"getblockcount","id":1}', '__cookie__:00')).status, 401);
  check('auth: cookie accepted, none or wrong -> 401');
  const nf = await rpc('nosuch', [], '/'); assert.strictEqual(nf.status, 404); assert.strictEqual(plain(nf.error).code, -32601);
  const wnf = await rpc('getbalances', [], '/wallet/other'); assert.strictEqual(wnf.status, 500); assert.strictEqual(plain(wnf.error).code, -18);
  const bad = await rpc('getblockhash', [99], '/'); assert.strictEqual(bad.status, 500); assert.deepStrictEqual(plain(bad.error), { code: -8, message: 'Block height out of range' });
  check('errors: -32601/404, -18, -8/500 in bitcoind\'s shape');
  const info = plain(await ok('getblockchaininfo', [], '/')); assert.strictEqual(info.chain, 'regtest');
  const addr = await ok('getnewaddress', ['wallet-7']); assert.match(addr, /^bcrt1q[0-9a-z]{38}$/);
  assert.strictEqual((await ok('validateaddress', [addr])).isvalid, true);
  for (const a of ['bc1q28sujc5dyr8axhxp6lm80vnsa7l35za2etknqd', addr.slice(0, -1) + (addr.endsWith('q') ? 'p' : 'q'), 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx']) assert.strictEqual((await ok('validateaddress', [a])).isvalid, false, a);
  const ai = await ok('getaddressinfo', [addr]); assert.strictEqual(ai.ismine, true); assert.deepStrictEqual(ai.labels, ['wallet-7']);
  check('addresses: bech32 regtest, wrong network and checksum refused, labels');
  await control({ action: 'fund', amount: '50' });
  let b = (await ok('getbalances', [])).mine; assert.strictEqual(sats(b.trusted), 5000000000n);
  const start = await ok('getbestblockhash', [], '/');
  const pay = await control({ action: 'pay', address: addr, amount: '0.1' });
  b = (await ok('getbalances', [])).mine; assert.strictEqual(sats(b.untrusted_pending), 10000000n);
  let r = await rpc('gettransaction', [pay.txid]); assert(/"amount":0\.10000000,/.test(r.text), r.text);
  assert.strictEqual(plain(r.result.confirmations), 0);
  await control({ action: 'mine', blocks: 3 });
  let ls = await ok('listsinceblock', [start, 3]);
  const d = ls.transactions.find((t) => t.txid === pay.txid); assert.strictEqual(plain(d.confirmations), 3); assert.strictEqual(d.label, 'wallet-7');
  assert.strictEqual(ls.lastblock, await ok('getblockhash', [plain(await ok('getblockcount', [], '/')) - 2], '/'));
  check('fund, pay 0.1 exactly, mine, listsinceblock confirmations and lastblock');
  await control({ action: 'reorg', depth: 3, drop: [pay.txid] });
  ls = await ok('listsinceblock', [start]); assert(!ls.transactions.some((t) => t.txid === pay.txid));
  const pay2 = await control({ action: 'pay', address: addr, amount: '1.23456789' });
  await control({ action: 'reorg', depth: 1 }); await control({ action: 'mine', blocks: 1 });
  await control({ action: 'reorg', depth: 1 });
  assert.strictEqual(plain((await ok('gettransaction', [pay2.txid])).confirmations), 0);
  check('reorg: dropped tx vanishes, reorged tx back in the mempool');
  // A reorg deeper than the confirmations of a recorded position: removed lists what left.
  const p3 = await control({ action: 'pay', outputs: [{ address: addr, amount: '0.5' }, { address: 'bcrt1q28sujc5dyr8axhxp6lm80vnsa7l35za23y5dvh', amount: '7' }, { address: addr, amount: '0.25' }] });
  await control({ action: 'mine', blocks: 3 });
  const at = (await ok('listsinceblock', ['', 3])).lastblock;
  let seen = (await ok('listsinceblock', ['', 1])).transactions.filter((t) => t.txid === p3.txid);
  assert.deepStrictEqual(seen.map((t) => [plain(t.vout), t.amount.text]), [[0, '0.50000000'], [2, '0.25000000']]);
  assert.strictEqual((await ok('gettransaction', [p3.txid])).amount.text, '0.75000000');
  await control({ action: 'reorg', depth: 4, blocks: 5, drop: [p3.txid] });
  ls = await ok('listsinceblock', [at, 3]);
  assert.deepStrictEqual(ls.removed.filter((t) => t.txid === p3.txid).map((t) => plain(t.vout)), [0, 2]);
  assert(!ls.transactions.some((t) => t.txid === p3.txid));
  assert(!('removed' in (await ok('listsinceblock', [at, 3, false, false]))));
  const many = await control({ action: 'pay', payments: [{ address: addr, amount: '0.001' }, { address: addr, amount: '0.002' }] });
  assert.strictEqual(many.txids.length, 2);
  check('outputs: one entry per output of ours; reorg past a position lists them in removed; bulk payments');
  const fee = await ok('estimatesmartfee', [6], '/'); assert.strictEqual(fee.feerate.text, '0.00001000');
  const dest = 'bcrt1q28sujc5dyr8axhxp6lm80vnsa7l35za23y5dvh';
  const txid = await ok('sendtoaddress', [dest, 0.3, 'wd-42', 'alice']);
  const g = await rpc('gettransaction', [txid]); assert(/"amount":-0\.30000000,"fee":-0\.00000141,/.test(g.text), g.text); assert.strictEqual(g.result.comment, 'wd-42'); assert.strictEqual(g.result.to, 'alice');
  const e5 = await rpc('sendtoaddress', ['bc1q28sujc5dyr8axhxp6lm80vnsa7l35za2etknqd', 1]); assert.strictEqual(plain(e5.error).code, -5);
  const e6 = await rpc('sendtoaddress', [dest, 1000]); assert.strictEqual(plain(e6.error).code, -6);
  check('sendtoaddress: fee, comment/to, -5 wrong network, -6 insufficient funds');
  await control({ action: 'conflict', txid });
  const c = await ok('gettransaction', [txid]); assert.strictEqual(plain(c.confirmations), -1); assert.strictEqual(c.walletconflicts.length, 1);
  const lt = await ok('listtransactions', ['*', 2]); assert.strictEqual(lt.length, 2); assert.strictEqual(lt[1].txid, txid);
  check('conflict: negative confirmations, walletconflicts');
  const orig = await ok('sendtoaddress', [dest, 0.2, 'wd-43']);
  const rep = await control({ action: 'replace', txid: orig });
  let o = await ok('gettransaction', [orig]); assert.strictEqual(plain(o.confirmations), 0); assert.deepStrictEqual(o.walletconflicts, [rep.txid]);
  let n = await ok('gettransaction', [rep.txid]); assert.strictEqual(n.comment, 'wd-43'); assert.strictEqual(n.fee.text, '-0.00000282'); assert.deepStrictEqual(n.walletconflicts, [orig]);
  await control({ action: 'mine', blocks: 2 });
  o = await ok('gettransaction', [orig]); assert.strictEqual(plain(o.confirmations), -2);
  n = await ok('gettransaction', [rep.txid]); assert.strictEqual(plain(n.confirmations), 2);
  check('replace (bumpfee): the same comment, twice the fee; the original conflicts once it is mined');
  await control({ action: 'misbehave', drop_send_response: 1, fee_errors: true });
  await assert.rejects(rpc('sendtoaddress', [dest, 0.01]));
  assert.deepStrictEqual((await ok('estimatesmartfee', [2], '/')).errors, ['Insufficient data or no feerate found']);
  check('misbehave: dropped send answer, estimatesmartfee errors');
  console.log(`selftest passed: ${checks} checks`);
}
main().then(() => { child.kill(); fs.rmSync(dir, { recursive: true, force: true }); }, (e) => { console.error(e); child.kill(); process.exit(1); });

#!/usr/bin/env node
'use strict';
// The rippled double's own test: starts server.js on a free port and checks it through HTTP
// only. Transactions a client would send are signed here with ripple-keypairs and
// ripple-binary-codec. Exit code 0 when every check passes; otherwise 1 at the first failure.

const assert = require('assert/strict');
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawn } = require('child_process');
const codec = require('ripple-binary-codec');
const keypairs = require('ripple-keypairs');

const started = Date.now();
const portFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rippled-double-')), 'port');
const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port', '0', '--port-file', portFile, '--close-ms', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let childLog = '';
child.stdout.on('data', (d) => { childLog += d; });
let port = null;

function post(p, body, raw = false) {
  return new Promise((resolve, reject) => {
    const data = raw ? body : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
async function rpc(method, params) {
  const r = await post('/', params === undefined ? { method } : { method, params: [params] });
  assert.equal(r.status, 200, `${method}: HTTP ${r.status} ${r.text}`);
  const j = JSON.parse(r.text);
  assert.ok(j.result && typeof j.result === 'object', `${method}: no result`);
  return j.result;
}
async function ok(method, params) {
  const r = await rpc(method, params);
  assert.equal(r.status, 'success', `${method}: ${JSON.stringify(r)}`);
  return r;
}
async function control(action, fields = {}) {
  const r = await post('/control', { action, ...fields });
  const j = JSON.parse(r.text);
  assert.equal(j.ok, true, `control ${action}: ${r.text}`);
  assert.equal(r.status, 200);
  return j;
}
const close = () => control('close');
const sha512half = (b) => crypto.createHash('sha512').update(b).digest().subarray(0, 32);
const txHash = (blob) => sha512half(Buffer.concat([Buffer.from('54584E00', 'hex'), Buffer.from(blob, 'hex')])).toString('hex').toUpperCase();

// A transaction signed here, as a client (omnid) signs it.
async function signed(wallet, fields, { seqOffset = 0, lls = 20 } = {}) {
  const info = await ok('account_info', { account: wallet.address, ledger_index: 'current' });
  const cur = (await ok('ledger_current')).ledger_current_index;
  const fee = await ok('fee');
  const kp = keypairs.deriveKeypair(wallet.seed);
  const tx = {
    Account: wallet.address, Fee: fee.drops.base_fee, Flags: 0, Sequence: info.account_data.Sequence + seqOffset,
    LastLedgerSequence: cur + lls, SigningPubKey: kp.publicKey, ...fields,
  };
  tx.TxnSignature = keypairs.sign(codec.encodeForSigning(tx), kp.privateKey);
  const blob = codec.encode(tx);
  return { tx, blob, hash: txHash(blob) };
}

const checks = [];
const check = (name, fn) => checks.push({ name, fn });
const S = {}; // wallets shared by the checks

check('server_info and fee shapes', async () => {
  const { info } = await ok('server_info');
  assert.equal(info.server_state, 'full');
  assert.equal(info.network_id, undefined);
  assert.equal(typeof info.complete_ledgers, 'string');
  const v = info.validated_ledger;
  assert.ok(Number.isInteger(v.seq) && v.seq >= 1);
  assert.equal(v.base_fee_xrp, 0.00001);
  assert.equal(v.reserve_base_xrp, 1);
  assert.equal(v.reserve_inc_xrp, 0.2);
  const fee = await ok('fee');
  for (const f of ['base_fee', 'median_fee', 'minimum_fee', 'open_ledger_fee']) assert.match(fee.drops[f], /^\d+$/);
  assert.equal(fee.drops.base_fee, '10');
  assert.ok(Number.isInteger(fee.ledger_current_index));
  assert.match(fee.current_queue_size, /^\d+$/);
  const lc = await ok('ledger_closed');
  assert.equal(lc.ledger_index, v.seq);
  const l = await ok('ledger', { ledger_index: 'validated' });
  assert.equal(l.validated, true);
  assert.equal(l.ledger.closed, true);
});

check('errors: unknownCmd, actNotFound, bad JSON', async () => {
  const u = await rpc('no_such_method', {});
  assert.equal(u.error, 'unknownCmd'); assert.equal(u.error_code, 32); assert.equal(u.status, 'error');
  const a = await rpc('account_info', { account: keypairs.deriveAddress(keypairs.deriveKeypair(keypairs.generateSeed()).publicKey), ledger_index: 'validated' });
  assert.equal(a.error, 'actNotFound'); assert.equal(a.error_code, 19); assert.equal(a.error_message, 'Account not found.');
  assert.equal(a.request.command, 'account_info');
  const bad = await post('/', '{"method": "server_info", ', true);
  assert.equal(bad.status, 400);
  const badc = await post('/control', '{', true);
  assert.equal(badc.status, 400);
});

check('wallet funding', async () => {
  S.a = await control('wallet');
  S.b = await control('wallet', { key_type: 'ed25519' });
  assert.match(S.a.address, /^r/); assert.match(S.a.seed, /^s/); assert.ok(S.b.public_key.startsWith('ED'));
  assert.equal(keypairs.deriveAddress(keypairs.deriveKeypair(S.a.seed).publicKey), S.a.address);
  const i = await ok('account_info', { account: S.a.address, ledger_index: 'validated' });
  assert.equal(i.account_data.Balance, '1000000000');
  assert.equal(i.validated, true);
  const f = await control('fund', { address: S.b.address, xrp: '5000000' });
  assert.ok(f.hash && Number.isInteger(f.ledger_index));
  const ib = await ok('account_info', { account: S.b.address, ledger_index: 'validated' });
  assert.equal(ib.account_data.Balance, '1005000000');
});

check('client-signed XRP payment: submit, tx, account_tx', async () => {
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '2500000' });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'tesSUCCESS'); assert.equal(r.engine_result_code, 0);
  assert.equal(r.applied, true); assert.equal(r.accepted, true); assert.equal(r.broadcast, true); assert.equal(r.kept, true); assert.equal(r.queued, false);
  assert.equal(r.tx_json.hash, p.hash); assert.equal(r.tx_blob, p.blob);
  const before = await ok('tx', { transaction: p.hash }).catch(() => null);
  assert.equal(before, null, 'tx is not found before the ledger closes');
  await close();
  const t = await ok('tx', { transaction: p.hash });
  assert.equal(t.validated, true); assert.equal(t.meta.TransactionResult, 'tesSUCCESS');
  assert.equal(t.meta.delivered_amount, '2500000'); assert.ok(Number.isInteger(t.meta.TransactionIndex));
  assert.ok(Number.isInteger(t.ledger_index));
  const at = await ok('account_tx', { account: S.b.address, ledger_index_min: -1, ledger_index_max: -1, limit: 10 });
  const e = at.transactions.find((x) => x.tx.hash === p.hash);
  assert.ok(e, 'payment in account_tx');
  assert.equal(e.validated, true); assert.equal(e.meta.delivered_amount, '2500000'); assert.equal(e.ledger_index, t.ledger_index); assert.equal(e.hash, p.hash);
  S.applied = p;
});

check('bad signature -> invalidTransaction', async () => {
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000' });
  const other = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000001' });
  const forged = codec.encode({ ...p.tx, TxnSignature: other.tx.TxnSignature });
  const r = await rpc('submit', { tx_blob: forged });
  assert.equal(r.status, 'error'); assert.equal(r.error, 'invalidTransaction');
  assert.match(r.error_exception, /Invalid signature/);
  const nothex = await rpc('submit', { tx_blob: 'XYZ' });
  assert.equal(nothex.error, 'invalidParams');
});

check('tefPAST_SEQ on a used sequence', async () => {
  const again = await ok('submit', { tx_blob: S.applied.blob });
  assert.equal(again.engine_result, 'tefPAST_SEQ'); assert.equal(again.engine_result_code, -190); assert.equal(again.applied, false);
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000' }, { seqOffset: -1 });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'tefPAST_SEQ');
});

check('destination tag required: tecDST_TAG_NEEDED', async () => {
  const s = await control('account_set', { address: S.b.address, set_flag: 1 });
  assert.equal(s.engine_result, 'tesSUCCESS');
  const i = await ok('account_info', { account: S.b.address, ledger_index: 'validated' });
  assert.ok(i.account_data.Flags & 0x00020000, 'lsfRequireDestTag set');
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000' });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'tecDST_TAG_NEEDED'); assert.equal(r.engine_result_code, 143);
  await close();
  const t = await ok('tx', { transaction: p.hash });
  assert.equal(t.meta.TransactionResult, 'tecDST_TAG_NEEDED'); assert.equal(t.meta.delivered_amount, undefined);
  const withTag = await control('pay', { from: S.a.address, to: S.b.address, amount: '1000000', destination_tag: 7 });
  assert.equal(withTag.engine_result, 'tesSUCCESS');
  const t2 = await ok('tx', { transaction: withTag.hash });
  assert.equal(t2.DestinationTag, 7); assert.equal(t2.validated, true);
});

check('tecNO_DST_INSUF_XRP below the reserve', async () => {
  const { info } = await ok('server_info');
  const reserve = Math.round(info.validated_ledger.reserve_base_xrp * 1e6);
  const fresh = keypairs.deriveAddress(keypairs.deriveKeypair(keypairs.generateSeed()).publicKey);
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: fresh, Amount: String(reserve - 1) });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'tecNO_DST_INSUF_XRP'); assert.equal(r.engine_result_code, 125);
  await close();
  const a = await rpc('account_info', { account: fresh, ledger_index: 'validated' });
  assert.equal(a.error, 'actNotFound');
});

check('trust line, IOU payment, partial payment, account_lines, gateway_balances', async () => {
  const USD = (value) => ({ currency: 'USD', issuer: S.a.address, value });
  const t = await control('trust', { address: S.b.address, currency: 'USD', issuer: S.a.address, limit: '1000' });
  assert.equal(t.engine_result, 'tesSUCCESS');
  const pay = await control('pay', { from: S.a.address, to: S.b.address, amount: USD('10'), destination_tag: 1 });
  assert.equal(pay.engine_result, 'tesSUCCESS');
  const part = await control('pay', { from: S.a.address, to: S.b.address, amount: USD('100'), destination_tag: 2, partial: { deliver: USD('1.5') } });
  assert.equal(part.engine_result, 'tesSUCCESS');
  const tp = await ok('tx', { transaction: part.hash });
  assert.ok(tp.Flags & 0x00020000, 'tfPartialPayment');
  assert.equal(tp.Amount.value, '100');
  assert.deepEqual(tp.meta.delivered_amount, USD('1.5'));
  const px = await control('pay', { from: S.a.address, to: S.b.address, amount: '5000000', destination_tag: 3, partial: { deliver: '1234' } });
  const tx = await ok('tx', { transaction: px.hash });
  assert.equal(tx.Amount, '5000000'); assert.equal(tx.meta.delivered_amount, '1234');
  const lines = await ok('account_lines', { account: S.b.address, ledger_index: 'validated' });
  assert.equal(lines.lines.length, 1);
  assert.equal(lines.lines[0].account, S.a.address); assert.equal(lines.lines[0].balance, '11.5'); assert.equal(lines.lines[0].limit, '1000');
  const peer = await ok('account_lines', { account: S.a.address, peer: S.b.address });
  assert.equal(peer.lines[0].balance, '-11.5');
  const g = await ok('gateway_balances', { account: S.a.address, ledger_index: 'validated' });
  assert.deepEqual(g.obligations, { USD: '11.5' });
  const gh = await ok('gateway_balances', { account: S.a.address, hotwallet: [S.b.address], ledger_index: 'validated' });
  assert.equal(gh.obligations, undefined);
  assert.deepEqual(gh.balances, { [S.b.address]: [{ currency: 'USD', value: '11.5' }] });
  const gb = await ok('gateway_balances', { account: S.b.address });
  assert.deepEqual(gb.assets, { [S.a.address]: [{ currency: 'USD', value: '11.5' }] });
});

check('ripple_path_find for XRP', async () => {
  const r = await ok('ripple_path_find', { source_account: S.a.address, destination_account: S.b.address, destination_amount: '1000000' });
  assert.equal(r.alternatives.length, 1);
  assert.deepEqual(r.alternatives[0], { paths_computed: [], source_amount: '1000000' });
  assert.ok(r.destination_currencies.includes('XRP')); assert.equal(r.full_reply, true);
  const u = await ok('ripple_path_find', { source_account: S.a.address, destination_account: S.b.address, destination_amount: { currency: 'USD', issuer: S.a.address, value: '5' } });
  assert.equal(u.alternatives[0].source_amount.value, '5');
  const none = await ok('ripple_path_find', { source_account: S.a.address, destination_account: S.b.address, destination_amount: '1000000', source_currencies: [{ currency: 'USD' }] });
  assert.equal(none.alternatives.length, 0);
});

check('hold_submissions: expiry by LastLedgerSequence, txnNotFound searched_all', async () => {
  await control('misbehave', { hold_submissions: true });
  const cur = (await ok('ledger_current')).ledger_current_index;
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 9 }, { lls: 2 });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'tesSUCCESS');
  await control('misbehave', { hold_submissions: false });
  for (let i = 0; i < 4; i++) await close();
  assert.equal((await control('state')).held, 0, 'expired hold dropped');
  const nf = await rpc('tx', { transaction: p.hash, min_ledger: cur, max_ledger: p.tx.LastLedgerSequence });
  assert.equal(nf.error, 'txnNotFound'); assert.equal(nf.error_code, 29); assert.equal(nf.searched_all, true);
  const nf2 = await rpc('tx', { transaction: p.hash, min_ledger: cur, max_ledger: cur + 100 });
  assert.equal(nf2.error, 'txnNotFound'); assert.equal(nf2.searched_all, false);
  const nf3 = await rpc('tx', { transaction: p.hash });
  assert.equal(nf3.error, 'txnNotFound'); assert.equal(nf3.searched_all, undefined);
  const big = await rpc('tx', { transaction: p.hash, min_ledger: 1, max_ledger: 5000 });
  assert.equal(big.error, 'excessiveLgrRange');
  // The sequence was never consumed: the same Sequence applies now.
  const q = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 9 });
  assert.equal(q.tx.Sequence, p.tx.Sequence);
  assert.equal((await ok('submit', { tx_blob: q.blob })).engine_result, 'tesSUCCESS');
  await close();
  assert.equal((await ok('tx', { transaction: q.hash })).validated, true);
});

check('account_tx paging with markers', async () => {
  S.c = await control('wallet', { key_type: 'ed25519' });
  const bulk = await control('bulk_pay', { from: S.c.address, to: S.b.address, amount: '1000', destination_tags: [1, 2, 3, 4, 5, 6, 7], per_ledger: 3 });
  assert.equal(bulk.count, 7);
  assert.equal(bulk.last_ledger - bulk.first_ledger, 2);
  for (const forward of [false, true]) {
    const seen = [];
    let marker;
    let pages = 0;
    do {
      const r = await ok('account_tx', { account: S.c.address, ledger_index_min: -1, ledger_index_max: -1, limit: 3, forward, ...(marker ? { marker } : {}) });
      assert.ok(r.transactions.length <= 3);
      for (const e of r.transactions) seen.push(e.tx.hash);
      marker = r.marker;
      pages += 1;
      assert.ok(pages < 10);
    } while (marker);
    assert.equal(seen.length, 8, 'funding + 7 payments'); assert.equal(new Set(seen).size, 8, 'each once');
    assert.ok(pages >= 3);
    if (forward) assert.equal(seen[0], S.c.hash, 'forward starts with the funding payment');
    else assert.equal(seen[7], S.c.hash, 'backward ends with the funding payment');
  }
});

check('drop_submit_response: the answer is lost, the tx lands', async () => {
  await control('misbehave', { drop_submit_response: 1 });
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 10 });
  await assert.rejects(post('/', { method: 'submit', params: [{ tx_blob: p.blob }] }));
  await close();
  const t = await ok('tx', { transaction: p.hash });
  assert.equal(t.validated, true); assert.equal(t.meta.TransactionResult, 'tesSUCCESS');
});

check('submit_result terQUEUED and tefPAST_SEQ', async () => {
  await control('misbehave', { submit_result: 'terQUEUED', count: 1 });
  const p = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 11 });
  const r = await ok('submit', { tx_blob: p.blob });
  assert.equal(r.engine_result, 'terQUEUED'); assert.equal(r.engine_result_code, -89); assert.equal(r.queued, true);
  assert.equal((await control('state')).queue, 1);
  await close();
  assert.equal((await ok('tx', { transaction: p.hash })).validated, true);
  await control('misbehave', { submit_result: 'tefPAST_SEQ', count: 1 });
  const q = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 12 });
  assert.equal((await ok('submit', { tx_blob: q.blob })).engine_result, 'tefPAST_SEQ');
  await close();
  assert.equal((await rpc('tx', { transaction: q.hash })).error, 'txnNotFound');
  assert.equal((await ok('submit', { tx_blob: q.blob })).engine_result, 'tesSUCCESS', 'the count is used up');
  await close();
});

check('unreachable_ms, delay_ms, validation_lag, set', async () => {
  await control('misbehave', { unreachable_ms: 400 });
  await assert.rejects(post('/', { method: 'server_info' }));
  assert.equal((await control('state')).ok, true, '/control stays reachable');
  await new Promise((r) => setTimeout(r, 450));
  await ok('server_info');
  await control('misbehave', { delay_ms: 150 });
  const t0 = Date.now();
  await ok('ledger_current');
  assert.ok(Date.now() - t0 >= 140);
  await control('misbehave', { delay_ms: 0, validation_lag: 2 });
  const c = await close();
  const st = await control('state');
  assert.equal(st.validated_ledger, st.closed_ledger - 2); assert.equal(c.ledger_index, st.validated_ledger);
  assert.equal((await ok('server_info')).info.validated_ledger.seq, st.validated_ledger);
  await control('misbehave', { validation_lag: 0 });
  const sk = await control('close', { skip: 3 });
  assert.equal(sk.ledger_index, st.closed_ledger + 4);
  await control('set', { reserve_base: '10000000', reserve_inc: '2000000', base_fee: '12' });
  const { info } = await ok('server_info');
  assert.equal(info.validated_ledger.reserve_base_xrp, 10); assert.equal(info.validated_ledger.reserve_inc_xrp, 2);
  assert.equal((await ok('fee')).drops.base_fee, '12');
  const low = await signed(S.a, { TransactionType: 'Payment', Destination: S.b.address, Amount: '1000000', DestinationTag: 13, Fee: '10' });
  assert.equal((await ok('submit', { tx_blob: low.blob })).engine_result, 'telINSUF_FEE_P');
  await control('set', { reserve_base: '1000000', reserve_inc: '200000', base_fee: '10' });
});

check('bulk_pay speed (1000)', async () => {
  const tags = Array.from({ length: 1000 }, (_, i) => i + 1);
  const t0 = Date.now();
  const r = await control('bulk_pay', { from: S.c.address, to: S.a.address, amount: '10', destination_tags: tags });
  assert.equal(r.count, 1000);
  S.bulkMs = Date.now() - t0;
});

check('reset', async () => {
  await control('reset');
  const a = await rpc('account_info', { account: S.a.address });
  assert.equal(a.error, 'actNotFound');
  const st = await control('state');
  assert.equal(st.accounts, 1); assert.equal(st.validated_ledger, 1);
});

async function main() {
  for (let i = 0; i < 100 && port === null; i++) {
    if (fs.existsSync(portFile)) port = Number(fs.readFileSync(portFile, 'utf8'));
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(port, 'server.js did not write its port file');
  for (const c of checks) {
    try { await c.fn(); } catch (e) {
      console.error(`FAIL ${c.name}: ${e.message}`);
      throw e;
    }
    console.log(`ok   ${c.name}`);
  }
  for (const w of [S.a, S.b, S.c]) assert.ok(!childLog.includes(w.seed), 'a seed in the server log');
  const exited = new Promise((r) => child.on('exit', (code, sig) => r({ code, sig })));
  child.kill('SIGTERM');
  const ex = await exited;
  assert.equal(ex.code, 0, `server exit on SIGTERM: ${JSON.stringify(ex)}`);
  console.log(`selftest passed: ${checks.length} checks in ${Date.now() - started} ms (bulk_pay of 1000: ${S.bulkMs} ms)`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e.stack || e);
  try { child.kill('SIGTERM'); } catch (_) { /* gone */ }
  process.exit(1);
});

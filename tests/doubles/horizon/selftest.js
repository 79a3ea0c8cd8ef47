#!/usr/bin/env node
'use strict';
// The Horizon double's own test: starts server.js on a free port (ledgers close only on the
// control `close`) and checks it through HTTP only. Every transaction a client would send is
// built and signed here with the Stellar SDK's own TransactionBuilder and Keypair (no
// hand-made XDR), and parts of it go through the SDK's own Horizon client (Horizon.Server),
// which parses the double's answers as it parses Horizon's. Exit code 0 when every check
// passes; otherwise 1 at the first failure.

const assert = require('assert/strict');
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawn } = require('child_process');
const sdk = require('@stellar/stellar-sdk');
const { Keypair, TransactionBuilder, Operation, Asset, Memo, Networks, Account, StrKey, xdr, Horizon } = sdk;

const started = Date.now();
const PASSPHRASE = Networks.TESTNET;
const portFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'horizon-double-')), 'port');
const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port', '0', '--port-file', portFile, '--close-ms', '0', '--submit-timeout-ms', '3000'], { stdio: ['ignore', 'pipe', 'inherit'] });
let childLog = '';
child.stdout.on('data', (d) => { childLog += d; });
let port = null;

function request(method, p, body, type) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, path: p, method, agent: false, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
        resolve({ status: res.statusCode, type: res.headers['content-type'], text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const get = (p) => request('GET', p);
async function control(command, fields = {}) {
  const r = await request('POST', '/control', JSON.stringify({ command, ...fields }), 'application/json');
  assert.equal(r.status, 200, `control ${command}: ${r.text}`);
  assert.equal(r.json.ok, true);
  return r.json;
}
const close = () => control('close');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const postTx = (b64) => request('POST', '/transactions', `tx=${encodeURIComponent(b64)}`, 'application/x-www-form-urlencoded');
// Horizon answers a submission once its ledger closed: submit, wait until the double has
// the transaction in its open ledger (or has answered: a refusal, a recorded result), close.
// No fixed sleeps, so a loaded machine does not make it flaky.
async function closeWhenPending(hash, answered) {
  for (let i = 0; i < 2000 && !answered(); i++) {
    const s = await control('state');
    const t = s.transactions.find((x) => x.hash === hash);
    if (t && !t.closed) { await close(); return; }
    if (t && t.closed) return;
    await sleep(5);
  }
}
async function submit(tx) {
  let done = false;
  const p = postTx(tx.toXDR()).then((r) => { done = true; return r; });
  await closeWhenPending(tx.hash().toString('hex'), () => done);
  return p;
}
// The same through the SDK's own client.
async function sdkSubmit(horizon, tx) {
  let done = false;
  const p = horizon.submitTransaction(tx).finally(() => { done = true; });
  p.catch(() => {});
  await closeWhenPending(tx.hash().toString('hex'), () => done);
  return p;
}
function expectTxFailed(r, txCode, opCodes) {
  assert.equal(r.status, 400, r.text);
  assert.match(r.type, /application\/problem\+json/);
  assert.equal(r.json.type, 'https://stellar.org/horizon-errors/transaction_failed');
  assert.equal(r.json.title, 'Transaction Failed');
  assert.equal(r.json.status, 400);
  assert.equal(r.json.extras.result_codes.transaction, txCode, r.text);
  if (opCodes) assert.deepEqual(r.json.extras.result_codes.operations, opCodes);
  assert.ok(r.json.extras.envelope_xdr);
  const res = xdr.TransactionResult.fromXDR(r.json.extras.result_xdr, 'base64');
  assert.equal(res.result().switch().name, { tx_failed: 'txFailed', tx_bad_seq: 'txBadSeq', tx_bad_auth: 'txBadAuth', tx_too_late: 'txTooLate', tx_too_early: 'txTooEarly', tx_insufficient_fee: 'txInsufficientFee', tx_bad_auth_extra: 'txBadAuthExtra' }[txCode]);
}
// Deterministic test keys (made up here; never logged by the double: it never sees them).
const key = (name) => Keypair.fromRawEd25519Seed(crypto.createHash('sha256').update(`horizon selftest ${name}`).digest());

async function account(id) {
  const r = await get(`/accounts/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const native = (acct) => acct.balances.find((b) => b.asset_type === 'native').balance;
async function builder(kp, opts = {}) {
  const a = await account(kp.publicKey());
  return new TransactionBuilder(new Account(kp.publicKey(), a.sequence), { fee: opts.fee || '100', networkPassphrase: opts.passphrase || PASSPHRASE });
}
async function payment(from, to, amount, { asset = Asset.native(), memo = null, timeout = 0, fee, passphrase, signer } = {}) {
  const b = await builder(from, { fee, passphrase });
  b.addOperation(Operation.payment({ destination: to, asset, amount }));
  if (memo) b.addMemo(memo);
  b.setTimeout(timeout);
  const tx = b.build();
  tx.sign(signer || from);
  return tx;
}
async function state() { return control('state'); }
const txsOf = (s, hash) => s.transactions.filter((t) => t.hash === hash);

async function main() {
  for (let i = 0; i < 200 && port === null; i++) {
    if (fs.existsSync(portFile)) port = Number(fs.readFileSync(portFile, 'utf8'));
    else await sleep(25);
  }
  assert.ok(port, 'server did not start');
  const horizon = new Horizon.Server(`http://127.0.0.1:${port}`, { allowHttp: true });

  // ---- GET /
  let r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.json.network_passphrase, PASSPHRASE);
  assert.equal(r.json.history_latest_ledger, 1);
  assert.equal(r.json.core_latest_ledger, 1);

  // ---- fund, GET /accounts, 404
  const A = key('A'); const B = key('B'); const I = key('issuer'); const C = key('C');
  await control('fund', { account: A.publicKey(), xlm: '1000' });
  await control('fund', { account: B.publicKey(), xlm: '100' });
  await control('fund', { account: I.publicKey(), xlm: '100' });
  r = await get(`/accounts/${A.publicKey()}`);
  assert.equal(r.status, 404, 'visible only once the ledger closes');
  assert.match(r.type, /application\/problem\+json/);
  assert.equal(r.json.title, 'Resource Missing');
  assert.equal(r.json.status, 404);
  assert.equal(r.json.type, 'https://stellar.org/horizon-errors/not_found');
  assert.ok(r.json.detail);
  await close();
  let a = await account(A.publicKey());
  assert.equal(a.id, A.publicKey());
  assert.equal(a.account_id, A.publicKey());
  assert.equal(typeof a.sequence, 'string');
  assert.equal(a.sequence, String(2n << 32n), 'a new account\'s sequence is its ledger << 32');
  assert.equal(native(a), '1000.0000000');
  assert.equal(a.subentry_count, 0);
  assert.equal(a.paging_token, A.publicKey());
  assert.equal(a.last_modified_ledger, 2);
  assert.deepEqual(a.thresholds, { low_threshold: 0, med_threshold: 0, high_threshold: 0 });
  assert.equal(typeof a.flags.auth_required, 'boolean');
  const loaded = await horizon.loadAccount(A.publicKey()); // the SDK's own client reads it
  assert.equal(loaded.sequenceNumber(), a.sequence);
  assert.equal((await get('/accounts/GNOTANACCOUNT')).status, 400);

  // ---- an SDK-signed payment, applied once; resubmitted: 200, nothing more
  const pay1 = await payment(A, B.publicKey(), '10.5', { memo: Memo.text('invoice 17') });
  const hash1 = pay1.hash().toString('hex');
  r = await submit(pay1);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hash, hash1);
  assert.equal(r.json.id, hash1);
  assert.equal(r.json.successful, true);
  assert.equal(r.json.ledger, 3);
  assert.equal(r.json.envelope_xdr, pay1.toXDR());
  assert.equal(r.json.memo_type, 'text');
  assert.equal(r.json.memo, 'invoice 17');
  assert.equal(r.json.fee_charged, '100');
  assert.equal(r.json.paging_token, String((3n << 32n) | (1n << 12n)));
  assert.equal(xdr.TransactionResult.fromXDR(r.json.result_xdr, 'base64').result().switch().name, 'txSuccess');
  assert.equal(native(await account(B.publicKey())), '110.5000000');
  assert.equal(native(await account(A.publicKey())), '989.4999900');
  r = await submit(pay1);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hash, hash1);
  assert.equal(r.json.ledger, 3, 'the recorded result');
  assert.equal(native(await account(B.publicKey())), '110.5000000', 'not applied twice');
  let s = await state();
  assert.equal(txsOf(s, hash1).length, 1);
  r = await get(`/transactions/${hash1}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.successful, true);
  assert.equal(r.json.ledger, 3);
  assert.equal(r.json.source_account, A.publicKey());
  assert.equal(r.json.memo, 'invoice 17');
  r = await get(`/transactions/${'00'.repeat(32)}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.title, 'Resource Missing');

  // ---- refusals, as Horizon answers them
  const stale = new TransactionBuilder(new Account(A.publicKey(), String(2n << 32n)), { fee: '100', networkPassphrase: PASSPHRASE })
    .addOperation(Operation.payment({ destination: B.publicKey(), asset: Asset.native(), amount: '1' })).setTimeout(0).build();
  stale.sign(A);
  expectTxFailed(await postTx(stale.toXDR()), 'tx_bad_seq');
  const ahead = new TransactionBuilder(new Account(A.publicKey(), String((2n << 32n) + 2n)), { fee: '100', networkPassphrase: PASSPHRASE })
    .addOperation(Operation.payment({ destination: B.publicKey(), asset: Asset.native(), amount: '1' })).setTimeout(0).build();
  ahead.sign(A);
  expectTxFailed(await postTx(ahead.toXDR()), 'tx_bad_seq'); // one ahead of account + 1
  expectTxFailed(await postTx((await payment(A, B.publicKey(), '1', { signer: C })).toXDR()), 'tx_bad_auth');
  expectTxFailed(await postTx((await payment(A, B.publicKey(), '1', { passphrase: Networks.PUBLIC })).toXDR()), 'tx_bad_auth');
  const extra = await payment(A, B.publicKey(), '1');
  extra.sign(C);
  expectTxFailed(await postTx(extra.toXDR()), 'tx_bad_auth_extra');
  expectTxFailed(await postTx((await payment(A, B.publicKey(), '1', { fee: '99' })).toXDR()), 'tx_insufficient_fee');
  {
    const now = Math.floor(Date.now() / 1000);
    const late = await builder(A);
    late.addOperation(Operation.payment({ destination: B.publicKey(), asset: Asset.native(), amount: '1' })).setTimebounds(now - 600, now - 300);
    const lt = late.build(); lt.sign(A);
    expectTxFailed(await postTx(lt.toXDR()), 'tx_too_late');
    const early = await builder(A);
    early.addOperation(Operation.payment({ destination: B.publicKey(), asset: Asset.native(), amount: '1' })).setTimebounds(now + 600, now + 900);
    const et = early.build(); et.sign(A);
    expectTxFailed(await postTx(et.toXDR()), 'tx_too_early');
  }
  r = await postTx('AAAA not xdr');
  assert.equal(r.status, 400);
  assert.equal(r.json.title, 'Transaction Malformed');
  s = await state();
  assert.equal(s.transactions.length, 4, 'refused transactions are not in a ledger');
  const seqBefore = (await account(A.publicKey())).sequence;
  // Operation failures: in the ledger (fee charged, sequence used), 400 tx_failed.
  const under = await payment(A, B.publicKey(), '5000');
  r = await submit(under);
  expectTxFailed(r, 'tx_failed', ['op_underfunded']);
  a = await account(A.publicKey());
  assert.equal(a.sequence, String(BigInt(seqBefore) + 1n));
  assert.equal(native(a), '989.4999800');
  assert.equal((await get(`/transactions/${under.hash().toString('hex')}`)).json.successful, false);
  expectTxFailed(await submit(under), 'tx_failed', ['op_underfunded']); // resubmitted: the recorded result
  assert.equal((await account(A.publicKey())).sequence, String(BigInt(seqBefore) + 1n));
  expectTxFailed(await submit(await payment(A, C.publicKey(), '1')), 'tx_failed', ['op_no_destination']);

  // ---- trust lines and credit payments
  const USD = new Asset('USD', I.publicKey());
  const trust = (await builder(B)).addOperation(Operation.changeTrust({ asset: USD, limit: '100' })).setTimeout(0).build();
  trust.sign(B);
  assert.equal((await submit(trust)).status, 200);
  let bAcct = await account(B.publicKey());
  assert.equal(bAcct.subentry_count, 1);
  const usdLine = bAcct.balances.find((x) => x.asset_code === 'USD');
  assert.deepEqual({ ...usdLine, last_modified_ledger: 0 }, { balance: '0.0000000', limit: '100.0000000', buying_liabilities: '0.0000000', selling_liabilities: '0.0000000', last_modified_ledger: 0, is_authorized: true, is_authorized_to_maintain_liabilities: true, asset_type: 'credit_alphanum4', asset_code: 'USD', asset_issuer: I.publicKey() });
  assert.equal(bAcct.balances[bAcct.balances.length - 1].asset_type, 'native', 'native last, as Horizon lists it');
  assert.equal((await submit(await payment(I, B.publicKey(), '50', { asset: USD }))).status, 200);
  expectTxFailed(await submit(await payment(I, B.publicKey(), '50.0000001', { asset: USD })), 'tx_failed', ['op_line_full']);
  expectTxFailed(await submit(await payment(I, A.publicKey(), '1', { asset: USD })), 'tx_failed', ['op_no_trust']);
  expectTxFailed(await submit(await payment(A, B.publicKey(), '1', { asset: USD })), 'tx_failed', ['op_src_no_trust']);
  assert.equal((await account(B.publicKey())).balances.find((x) => x.asset_code === 'USD').balance, '50.0000000');
  // A 12-character code, through a control trust line and a deposit.
  const LONG = new Asset('OMNIGATEUSDX', I.publicKey());
  await control('trust', { account: A.publicKey(), asset: `OMNIGATEUSDX:${I.publicKey()}`, limit: '1000' });
  await control('pay', { from: I.publicKey(), to: A.publicKey(), amount: '0.0000001', asset: `OMNIGATEUSDX:${I.publicKey()}`, close: true });
  const longLine = (await account(A.publicKey())).balances.find((x) => x.asset_code === LONG.getCode());
  assert.equal(longLine.balance, '0.0000001');
  assert.equal(longLine.limit, '1000.0000000');
  assert.equal(longLine.asset_type, 'credit_alphanum12');
  // Low reserve: an account with exactly its minimum balance cannot add a trust line.
  await control('fund', { account: C.publicKey(), xlm: '1.0000100', close: true });
  const lowTrust = (await builder(C)).addOperation(Operation.changeTrust({ asset: USD })).setTimeout(0).build();
  lowTrust.sign(C);
  expectTxFailed(await submit(lowTrust), 'tx_failed', ['op_low_reserve']);
  // Removing a trust line with a balance: op_invalid_limit; an emptied one: removed.
  const remove = (await builder(B)).addOperation(Operation.changeTrust({ asset: USD, limit: '0' })).setTimeout(0).build();
  remove.sign(B);
  expectTxFailed(await submit(remove), 'tx_failed', ['op_invalid_limit']);
  // Atomic: the first operation's payment is undone when the second fails.
  const twoOps = (await builder(A)).addOperation(Operation.payment({ destination: B.publicKey(), asset: Asset.native(), amount: '1' }))
    .addOperation(Operation.payment({ destination: C.publicKey(), asset: USD, amount: '1' })).setTimeout(0).build();
  twoOps.sign(A);
  const bBefore = native(await account(B.publicKey()));
  expectTxFailed(await submit(twoOps), 'tx_failed', ['op_success', 'op_src_no_trust']);
  assert.equal(native(await account(B.publicKey())), bBefore);
  // CreateAccount and ManageData.
  const D = key('D');
  const create = (await builder(A)).addOperation(Operation.createAccount({ destination: D.publicKey(), startingBalance: '5' })).setTimeout(0).build();
  create.sign(A);
  assert.equal((await submit(create)).status, 200);
  assert.equal(native(await account(D.publicKey())), '5.0000000');
  const again = (await builder(A)).addOperation(Operation.createAccount({ destination: D.publicKey(), startingBalance: '5' })).setTimeout(0).build();
  again.sign(A);
  expectTxFailed(await submit(again), 'tx_failed', ['op_already_exists']);

  // ---- memo_required (SEP-29) through the account's data, read by the SDK's own client
  await control('set_data', { account: D.publicKey(), name: 'config.memo_required', value: '1', close: true });
  const dAcct = await account(D.publicKey());
  assert.equal(dAcct.data['config.memo_required'], Buffer.from('1').toString('base64'));
  assert.equal(dAcct.subentry_count, 1);
  await assert.rejects(horizon.submitTransaction(await payment(A, D.publicKey(), '1')), (e) => e instanceof sdk.AccountRequiresMemoError);
  {
    const withMemo = await payment(A, D.publicKey(), '1', { memo: Memo.id('77') });
    const res = await sdkSubmit(horizon, withMemo); // the SDK parses the 200 answer (and its result_xdr)
    assert.equal(res.hash, withMemo.hash().toString('hex'));
    assert.equal(res.successful, true);
  }
  {
    // The SDK's client on a 400: its error carries Horizon's extras.
    await assert.rejects(sdkSubmit(horizon, await payment(A, C.publicKey(), '999999')), (e) => e.response && e.response.status === 400 && e.response.data.extras.result_codes.operations[0] === 'op_underfunded');
  }

  // ---- payments paging: deposits with every memo type, outgoing payments too
  const E = key('E');
  await control('fund', { account: E.publicKey(), xlm: '50' });
  const X = key('outside world').publicKey();
  const memos = [['text', 'deposit 1'], ['id', '18446744073709551615'], ['hash', 'aa'.repeat(32)], ['return', 'bb'.repeat(32)], ['none', null]];
  for (const [memo_type, memo] of memos) await control('pay', { from: X, to: E.publicKey(), amount: '0.0000001', memo_type, memo });
  await control('pay', { from: X, to: E.publicKey(), amount: '922337203.6854775', memo_type: 'text', memo: 'big' });
  await control('pay', { from: X, to: E.publicKey(), amount: '3', successful: false });
  const muxed = StrKey.encodeMed25519PublicKey(Buffer.concat([StrKey.decodeEd25519PublicKey(E.publicKey()), Buffer.from('0000000000000309', 'hex')]));
  await control('pay', { from: X, to: muxed, amount: '2' });
  await close();
  assert.equal((await submit(await payment(E, A.publicKey(), '1'))).status, 200); // outgoing
  const ids = [];
  const seen = [];
  let next = `/accounts/${E.publicKey()}/payments?order=asc&limit=2&join=transactions`;
  for (let pages = 0; pages < 20; pages++) {
    r = await get(next);
    assert.equal(r.status, 200, r.text);
    const recs = r.json._embedded.records;
    assert.ok(r.json._links.self.href && r.json._links.prev.href);
    if (recs.length === 0) break;
    assert.ok(recs.length <= 2);
    for (const rec of recs) { ids.push(BigInt(rec.id)); seen.push(rec); assert.equal(rec.paging_token, rec.id); }
    next = new URL(r.json._links.next.href).pathname + new URL(r.json._links.next.href).search;
    assert.match(next, new RegExp(`cursor=${recs[recs.length - 1].id}`));
  }
  assert.equal(seen.length, 9, 'create_account, 6 deposits, the muxed one, the outgoing payment; not the failed one');
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], 'ids increase');
  for (const rec of seen) {
    const ledger = BigInt(rec.id) >> 32n;
    assert.equal(String(ledger), String(seen.find((x) => x.id === rec.id).transaction.ledger));
    assert.equal(rec.transaction_successful, true);
    assert.ok(rec.created_at.endsWith('Z'));
  }
  assert.equal(seen[0].type, 'create_account');
  assert.equal(seen[0].type_i, 0);
  assert.equal(seen[0].account, E.publicKey());
  assert.equal(seen[0].starting_balance, '50.0000000');
  const deposits = seen.filter((x) => x.type === 'payment' && x.to === E.publicKey());
  assert.deepEqual(deposits.slice(0, 5).map((x) => [x.transaction.memo_type, x.transaction.memo === undefined ? null : x.transaction.memo]),
    [['text', 'deposit 1'], ['id', '18446744073709551615'], ['hash', Buffer.from('aa'.repeat(32), 'hex').toString('base64')], ['return', Buffer.from('bb'.repeat(32), 'hex').toString('base64')], ['none', null]]);
  assert.equal(deposits[0].amount, '0.0000001');
  assert.equal(deposits[0].from, X);
  assert.equal(deposits[0].asset_type, 'native');
  assert.equal(deposits[5].amount, '922337203.6854775');
  assert.equal(deposits[6].to_muxed, muxed);
  assert.equal(deposits[6].to_muxed_id, '777');
  const out = seen[seen.length - 1];
  assert.equal(out.from, E.publicKey());
  assert.equal(out.to, A.publicKey());
  assert.equal(out.type_i, 1);
  // desc, cursors, include_failed, cursor=now, bad parameters
  r = await get(`/accounts/${E.publicKey()}/payments?order=desc&limit=200`);
  assert.deepEqual(r.json._embedded.records.map((x) => x.id), seen.map((x) => x.id).reverse());
  assert.equal(r.json._embedded.records[0].transaction, undefined, 'no join: no transaction');
  r = await get(`/accounts/${E.publicKey()}/payments?cursor=${seen[3].id}&limit=200`);
  assert.deepEqual(r.json._embedded.records.map((x) => x.id), seen.slice(4).map((x) => x.id));
  r = await get(`/accounts/${E.publicKey()}/payments?include_failed=true&limit=200`);
  const failed = r.json._embedded.records.filter((x) => !x.transaction_successful);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].amount, '3.0000000');
  r = await get(`/accounts/${E.publicKey()}/payments?cursor=now`);
  assert.equal(r.json._embedded.records.length, 0);
  assert.equal((await get(`/accounts/${E.publicKey()}/payments?limit=201`)).status, 400);
  assert.equal((await get(`/accounts/${E.publicKey()}/payments?order=sideways`)).status, 400);
  assert.equal((await get(`/accounts/${E.publicKey()}/payments?cursor=abc`)).status, 400);
  // The SDK's own call builder, following next links.
  let page = await horizon.payments().forAccount(E.publicKey()).limit(4).join('transactions').call();
  const viaSdk = [];
  while (page.records.length) { viaSdk.push(...page.records.map((x) => x.id)); page = await page.next(); }
  assert.deepEqual(viaSdk, seen.map((x) => x.id));

  // ---- 504 after applying, then the same envelope again: one payment
  const bal0 = native(await account(B.publicKey()));
  const pay504 = await payment(A, B.publicKey(), '7');
  await control('misbehave', { submit_504: 1 });
  r = await postTx(pay504.toXDR());
  assert.equal(r.status, 504);
  assert.equal(r.json.title, 'Timeout');
  assert.equal(r.json.type, 'https://stellar.org/horizon-errors/timeout');
  r = await submit(pay504);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hash, pay504.hash().toString('hex'));
  assert.equal(native(await account(B.publicKey())), (Number(bal0) + 7).toFixed(7));
  assert.equal(txsOf(await state(), pay504.hash().toString('hex')).length, 1);
  // 504 without applying: the resubmission is the one that applies.
  const pay504u = await payment(A, B.publicKey(), '2');
  await control('misbehave', { submit_504_unapplied: 1 });
  assert.equal((await postTx(pay504u.toXDR())).status, 504);
  await close();
  assert.equal(txsOf(await state(), pay504u.hash().toString('hex')).length, 0);
  assert.equal((await submit(pay504u)).status, 200);
  assert.equal(native(await account(B.publicKey())), (Number(bal0) + 9).toFixed(7));
  // unreachable, unavailable
  await control('misbehave', { unreachable_ms: 300 });
  await assert.rejects(get('/'));
  await sleep(350);
  assert.equal((await get('/')).status, 200);
  await control('misbehave', { unavailable_ms: 200 });
  r = await get('/');
  assert.equal(r.status, 503);
  assert.equal(r.json.status, 503);
  await sleep(250);
  assert.equal((await get('/')).status, 200);

  // ---- state: what a test counts
  s = await state();
  const fromA = s.transactions.filter((t) => t.source_account === A.publicKey() && t.successful && t.ops.every((o) => o.type === 'payment'));
  assert.ok(fromA.length >= 3);
  assert.ok(s.accounts.find((x) => x.id === B.publicKey()).lines.length === 1);
  assert.equal(s.closed_ledger + 1, s.open_ledger);

  // ---- reset
  await control('reset');
  assert.equal((await get(`/accounts/${A.publicKey()}`)).status, 404);
  assert.equal((await get('/')).json.history_latest_ledger, 1);

  // The log: one line per request, no seed.
  for (const k of [A, B, C, D, E, I]) assert.ok(!childLog.includes(k.secret()), 'a seed in the log');
  assert.ok(childLog.includes('POST /transactions -> 200'));
}

main().then(() => {
  console.log(`horizon double selftest: ok (${Date.now() - started} ms)`);
  child.kill('SIGTERM');
  process.exit(0);
}, (e) => {
  console.error(`horizon double selftest: FAILED: ${e.stack}`);
  console.error(childLog.split('\n').slice(-30).join('\n'));
  child.kill('SIGTERM');
  process.exit(1);
});

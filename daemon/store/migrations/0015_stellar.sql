-- 0015: the Stellar bridge (docs/stellar.md).

-- XLM comes in and goes out through Horizon: deposits to the hot account with a memo id of
-- the wallet's own, withdrawals signed by omnid.
UPDATE currencies SET deposit_methods = array_append(deposit_methods, 'stellar')
  WHERE code = 'XLM' AND NOT ('stellar' = ANY (deposit_methods));
UPDATE currencies SET withdraw_methods = array_append(withdraw_methods, 'stellar')
  WHERE code = 'XLM' AND NOT ('stellar' = ANY (withdraw_methods));

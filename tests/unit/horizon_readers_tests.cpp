// Readers of Horizon's answers (daemon/bridges/horizon/readers.h): what the Stellar bridge
// credits from a payments page, an account's sequence, balances and SEP-29 data, the
// destinations wallet/withdraw takes, result codes, close times. Shapes as Horizon (and
// tests/doubles/horizon/server.js) writes them; amounts are strings, never doubles.
#include <catch2/catch.hpp>
#include <chrono>

#include "common/json.h"
#include "daemon/bridges/horizon/readers.h"
#include "daemon/bridges/stellar/keys.h"

using og::Json;
namespace h = og::bridges::horizon;

namespace {

const std::string kHot = "GDF5O4OWEMVBY5FLDHWA5RZTYSV2U276XGKZZ6VSHDDR3THSQ6OQS7UM";
const std::string kOther = "GDFQVQCYYB7GKCGSCUSIQYXTPLV5YJ3XWDMWGQMDNM4EAXAL7LITIBQ7";

std::string currency_of(const std::string& code, const std::string& issuer) {
  if (code == "USD" && issuer == kOther) return "USD.acme.stellar";
  return code + "/" + issuer;
}

Json payment(const std::string& id, Json extra) {
  Json r{{"id", id}, {"paging_token", id}, {"transaction_successful", true}, {"type", "payment"},
         {"from", kOther}, {"to", kHot}, {"asset_type", "native"}, {"amount", "12.5000000"},
         {"transaction_hash", "ab"}, {"transaction", Json{{"hash", "ab"}, {"memo_type", "id"}, {"memo", "77"}, {"ledger", 9}}}};
  for (auto& [k, v] : extra.items()) r[k] = v;
  return r;
}

Json page(Json records) { return Json{{"_embedded", Json{{"records", records}}}}; }

}  // namespace

TEST_CASE("horizon: deposits from a payments page", "[horizon][stellar]") {
  Json records = Json::array({
      payment("100", Json::object()),                                            // memo id 77
      payment("101", Json{{"transaction_successful", false}}),                  // failed: never
      payment("102", Json{{"from", kHot}, {"to", kOther}}),                      // outgoing
      payment("103", Json{{"transaction", Json{{"hash", "cd"}, {"memo_type", "none"}}}}),  // no memo: bare
      payment("104", Json{{"asset_type", "credit_alphanum4"}, {"asset_code", "USD"}, {"asset_issuer", kOther}}),
      payment("105", Json{{"asset_type", "credit_alphanum4"}, {"asset_code", "EUR"}, {"asset_issuer", kOther}}),
      payment("106", Json{{"transaction", Json{{"hash", "ef"}, {"memo_type", "text"}, {"memo", "77"}}}}),
      Json{{"id", "107"}, {"paging_token", "107"}, {"transaction_successful", true}, {"type", "create_account"},
           {"funder", kOther}, {"account", kHot}, {"starting_balance", "1000.0000000"}},
      payment("108", Json{{"amount", "1.00000001"}}),                            // 8 decimals: left out
      payment("109", Json{{"amount", 12.5}}),                                     // a number: left out
      payment("110", Json{{"to_muxed", "M..."}, {"to_muxed_id", "5"}, {"transaction", Json{{"hash", "gh"}, {"memo_type", "none"}}}}),
      Json{{"id", "111"}, {"paging_token", "111"}, {"transaction_successful", true}, {"type", "manage_data"}},
  });
  auto p = h::payments_of(page(records), kHot, currency_of);
  CHECK(p.records == 12);
  CHECK(p.last_token == "111");
  REQUIRE(p.arrivals.size() == 7);
  CHECK(p.arrivals[0].external_txid == "100");
  CHECK(p.arrivals[0].address == kHot + "-77");
  CHECK(p.arrivals[0].currency == "XLM");
  CHECK(p.arrivals[0].amount == "12.5000000");
  CHECK(p.arrivals[0].source_address == kOther);
  CHECK(p.arrivals[0].ledger_index == 9);
  CHECK(p.arrivals[1].external_txid == "103");
  CHECK(p.arrivals[1].address == kHot);
  CHECK(p.arrivals[2].currency == "USD.acme.stellar");
  CHECK(p.arrivals[3].currency == "EUR/" + kOther);  // no currency of ours: suspense
  CHECK(p.arrivals[4].address == kHot);              // a text memo names no wallet
  CHECK(p.arrivals[5].external_txid == "107");
  CHECK(p.arrivals[5].amount == "1000.0000000");
  CHECK(p.arrivals[5].address == kHot);
  CHECK(p.arrivals[6].address == kHot + "-5");  // a muxed address's id
  CHECK(p.unreadable.size() == 2);

  CHECK(h::payments_of(page(Json::array()), kHot, currency_of).records == 0);
  CHECK_THROWS(h::payments_of(Json{{"records", Json::array()}}, kHot, currency_of));
  CHECK_THROWS(h::payments_of(page(Json::array({Json{{"id", "1"}}})), kHot, currency_of));  // no paging token
}

TEST_CASE("horizon: an account's trust lines", "[horizon][stellar]") {
  Json acct{{"id", kHot},
            {"sequence", "7"},
            {"balances",
             Json::array({Json{{"balance", "5.0000000"}, {"limit", "922337203685.4775807"},
                               {"asset_type", "credit_alphanum4"}, {"asset_code", "USD"}, {"asset_issuer", kOther}},
                          Json{{"balance", "0.0000000"}, {"limit", "100.0000000"}, {"asset_type", "credit_alphanum12"},
                               {"asset_code", "LONGERCODE12"}, {"asset_issuer", kOther}},
                          Json{{"balance", "1.0000000"}, {"limit", "1e5"}, {"asset_type", "credit_alphanum4"},
                               {"asset_code", "BAD"}, {"asset_issuer", kOther}},
                          Json{{"balance", "1.0000000"}, {"limit", "2.0000000"}, {"asset_type", "credit_alphanum4"},
                               {"asset_code", "EUR"}, {"asset_issuer", "GNOTANISSUER"}},
                          Json{{"balance", "1.0000000"}, {"limit", "2.0000000"}, {"asset_type", "liquidity_pool_shares"}},
                          Json{{"balance", "1099.9999900"}, {"asset_type", "native"}}})}};
  auto lines = h::trust_lines_of(acct);
  REQUIRE(lines.size() == 2);  // a bad limit, a bad issuer, pool shares and native left out
  CHECK(lines[0].currency == "USD");
  CHECK(lines[0].issuer_address == kOther);
  CHECK(lines[0].balance == "5.0000000");
  CHECK(lines[0].limit == "922337203685.4775807");
  CHECK(lines[1].currency == "LONGERCODE12");
  CHECK(h::trust_lines_of(Json::array()).empty());
  CHECK(h::trust_lines_of(Json{{"balances", "none"}}).empty());
}

TEST_CASE("horizon: accounts, SEP-29 data, destinations, result codes, times", "[horizon][stellar]") {
  Json acct{{"id", kHot},
            {"sequence", "4294967296007"},
            {"balances", Json::array({Json{{"balance", "5.0000000"}, {"asset_type", "credit_alphanum4"},
                                           {"asset_code", "USD"}, {"asset_issuer", kOther}},
                                      Json{{"balance", "1099.9999900"}, {"asset_type", "native"}}})},
            {"data", Json{{"config.memo_required", "MQ=="}}}};
  auto a = h::account_of(acct, currency_of);
  REQUIRE(a);
  CHECK(a->sequence == 4294967296007LL);
  REQUIRE(a->balances.size() == 2);
  CHECK(a->balances[0] == std::pair<std::string, std::string>{"USD.acme.stellar", "5.0000000"});
  CHECK(a->balances[1] == std::pair<std::string, std::string>{"XLM", "1099.9999900"});
  CHECK(h::memo_required(*a));
  acct["data"]["config.memo_required"] = "MA==";  // "0"
  CHECK_FALSE(h::memo_required(*h::account_of(acct, currency_of)));
  acct["sequence"] = 7;  // a number: Horizon writes a string
  CHECK_FALSE(h::account_of(acct, currency_of));
  acct["sequence"] = "99999999999999999999";
  CHECK_FALSE(h::account_of(acct, currency_of));

  std::string why;
  auto d = h::parse_destination(kHot + "-18446744073709551615", why);
  REQUIRE(d);
  CHECK(d->account == kHot);
  CHECK(d->memo == 18446744073709551615ULL);
  CHECK(h::parse_destination(kHot, why)->memo == std::nullopt);
  const auto key = og::stellar::KeyPair::random();
  for (const std::string& bad : {kHot + "-18446744073709551616", kHot + "-", kHot + "-01", kHot + "--1", kHot + "-+1",
                                 key.secret(), std::string("G"), std::string(""), kHot.substr(1)}) {
    INFO(bad);
    CHECK_FALSE(h::parse_destination(bad, why));
    CHECK(why.find(key.secret()) == std::string::npos);
  }
  const std::string muxed = og::stellar::encode_muxed_account({key.public_key(), 42});
  auto m = h::parse_destination(muxed, why);
  REQUIRE(m);
  CHECK(m->account == key.account_id());
  CHECK(m->muxed == 42u);

  CHECK(h::parse_u64("0") == 0u);
  CHECK_FALSE(h::parse_u64("-1"));
  CHECK_FALSE(h::parse_u64(" 1"));
  CHECK(h::parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(h::parse_time("2026-12-03T12:35:31Z") == 1796301331);
  CHECK_FALSE(h::parse_time("2026-12-03 12:35:31"));
  auto codes = h::result_codes_of(Json{{"extras", Json{{"result_codes", Json{{"transaction", "tx_failed"},
                                                                           {"operations", Json::array({"op_underfunded"})}}}}}});
  CHECK(codes.transaction == "tx_failed");
  CHECK(codes.operations == std::vector<std::string>{"op_underfunded"});
  CHECK(h::result_codes_of(Json::object()).transaction.empty());
}

TEST_CASE("horizon: the hot account's history for reconciliation", "[horizon][stellar][reconcile]") {
  const std::string at = "2026-12-03T10:00:00Z";
  Json records = Json::array(
      {payment("1", Json{{"created_at", at}}),  // in: + by operation id, the memo's address
       payment("2", Json{{"created_at", "2026-12-03T09:00:00Z"}, {"from", kHot}, {"to", kOther},
                         {"transaction_hash", "cd"}, {"asset_type", "credit_alphanum4"}, {"asset_code", "USD"},
                         {"asset_issuer", kOther}, {"amount", "3.0000000"}}),  // out: - by transaction hash
       payment("3", Json{{"created_at", at}, {"transaction_successful", false}}),  // failed: nothing moved
       payment("4", Json{{"created_at", at}, {"from", kHot}, {"to", kOther}, {"transaction_successful", false}}),
       payment("5", Json{{"created_at", at}, {"from", kHot}, {"to", kHot}}),  // to itself
       payment("6", Json{{"created_at", at}, {"from", kHot}, {"to", kOther}, {"amount", "1e3"}}),  // unreadable
       payment("7", Json{{"created_at", "yesterday"}})});
  auto hp = h::history_of(page(records), kHot, currency_of);
  CHECK(hp.records == 7);
  CHECK(hp.last_token == "7");
  REQUIRE(hp.entries.size() == 2);
  CHECK(hp.entries[0].external_txid == "cd");
  CHECK(hp.entries[0].currency == "USD.acme.stellar");
  CHECK(hp.entries[0].amount == "-3.0000000");
  CHECK(hp.entries[0].address == kOther);
  CHECK(hp.entries[1].external_txid == "1");
  CHECK(hp.entries[1].amount == "12.5000000");
  CHECK(hp.entries[1].address == kHot + "-77");
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(hp.entries[1].at.time_since_epoch()).count() ==
        *h::parse_time(at));
  CHECK(hp.oldest == *h::parse_time("2026-12-03T09:00:00Z"));
  CHECK(hp.unreadable.size() == 2);  // record 6's amount, record 7's time
  CHECK_THROWS(h::history_of(Json::object(), kHot, currency_of));
}

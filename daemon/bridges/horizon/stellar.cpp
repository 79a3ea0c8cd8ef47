#include "daemon/bridges/horizon/stellar.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <mutex>
#include <set>
#include <random>

#include "daemon/bridges/accounts.h"
#include "daemon/bridges/horizon/client.h"
#include "daemon/bridges/horizon/readers.h"
#include "daemon/bridges/inbox.h"
#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::bridges {

namespace {

using horizon::Reply;

constexpr int kPage = 200;                          // payments page size (Horizon's largest)
constexpr std::int64_t kMinCreate = 10'000'000;     // 1 XLM: an account's minimum balance (2 x 0.5 XLM base reserve)
const char* const kMemoRequired = "config.memo_required";

std::string check_account(const Json& data) {
  const std::string address = data.value("address", "");
  if (!stellar::decode_account_id(address))
    return "accountdata.address must be a Stellar account id (G..., 56 characters with a valid checksum)";
  if (data.contains("seed")) {
    if (!data["seed"].is_string()) return "accountdata.seed must be a Stellar secret seed (S...)";
    auto seed = stellar::decode_seed(data["seed"].get<std::string>());
    if (!seed) return "accountdata.seed is not a Stellar secret seed (S..., 56 characters with a valid checksum)";
    std::string of_seed;
    try {
      of_seed = stellar::KeyPair::from_seed(*seed).account_id();
    } catch (const std::exception&) {
      of_seed.clear();
    }
    seed->fill(0);
    if (of_seed != address) return "accountdata.seed is the seed of another account than accountdata.address";
  }
  return "";
}

struct Hot {
  long long id = 0;
  std::string address;
};

class Stellar final : public Bridge {
 public:
  explicit Stellar(InstanceSettings s)
      : Bridge(s), s_(std::move(s)), horizon_(s_.url, std::chrono::seconds(s_.timeout_seconds)) {}

  std::string default_description() const override { return "Stellar (Horizon)"; }
  const AccountSchema& schema() const override { return stellar_schema(); }
  Delivery delivery() const override { return Delivery::Push; }
  void attach(const Services& s) override { services_ = s; }

  std::string deposit_address(pqxx::work& tx, const ledger::WalletRow&) override {
    auto hot = hot_account(tx);
    if (!hot) return "";
    // A memo id of its own, unguessable from the wallet; below 2^53 so that no client that
    // reads JSON numbers as doubles can change it.
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> dist(1'000'000'000'000ULL, (1ULL << 53) - 1);
    for (int i = 0; i < 20; ++i) {
      std::string address = hot->address + "-" + std::to_string(dist(rd));
      if (tx.exec_params("SELECT 1 FROM deposit_addresses WHERE address = $1", address).empty()) return address;
    }
    throw std::runtime_error("no free memo id found in 20 tries");
  }

  std::optional<Refusal> check_destination(const std::string& address, const std::string& currency) override {
    std::string why;
    auto d = horizon::parse_destination(address, why);
    if (!d) return Refusal{Rc::BadValue, "destinationaddress: " + why};
    if (auto problem = currency_problem(currency)) return problem;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto hot = hot_account(tx);
      if (hot && hot->address == d->account)
        return Refusal{Rc::BadValue, "destinationaddress " + d->account +
                                         " is this platform's own hot account: use wallet/transfer"};
    }
    Reply r = horizon_.get("accounts/" + d->account);
    if (r.kind == Reply::Kind::NotFound) {
      if (currency == "XLM") return std::nullopt;  // created by the withdrawal (1 XLM at least)
      return Refusal{Rc::BadValue, "destinationaddress " + d->account + " does not exist on the network: it cannot hold " +
                                       currency + " (it needs XLM and a trust line first)"};
    }
    if (!r.ok()) return Refusal{Rc::SystemError, "Horizon cannot be reached to check the destination; retry later"};
    auto a = horizon::account_of(r.body, currency_of_fn());
    if (!a) return Refusal{Rc::SystemError, "Horizon answered an account without a sequence; retry later"};
    if (horizon::memo_required(*a) && !d->memo && !d->muxed)
      return Refusal{Rc::BadValue, "destinationaddress " + d->account +
                                       " requires a memo (SEP-29 config.memo_required): give it as G...-memoid or as "
                                       "a muxed M... address"};
    if (currency != "XLM") {
      // A credit asset reaches an account only through its trust line to the issuer (the
      // issuer itself takes its own asset back without one): op_no_trust otherwise.
      auto c = services_.ledger->currencies().find(currency);
      const std::string code = c->code.substr(0, c->code.find('.'));
      if (d->account != c->issuer_address) {
        const auto lines = horizon::trust_lines_of(r.body);
        if (std::none_of(lines.begin(), lines.end(), [&](const TrustLine& l) {
              return l.currency == code && l.issuer_address == c->issuer_address;
            }))
          return Refusal{Rc::BadValue, "destinationaddress " + d->account + " has no trust line to " +
                                           c->issuer_address + " for " + code + ": it cannot receive " + currency};
      }
    }
    return std::nullopt;
  }

  std::optional<Refusal> check_issuer_address(const std::string& address) override {
    if (!stellar::decode_account_id(address))
      return Refusal{Rc::BadValue, "issueraddress must be a Stellar account id (G..., 56 characters with a valid checksum)"};
    return std::nullopt;
  }

  // currency/address/trustline: a ChangeTrust from one of our addresses (limit 0 removes
  // the line); currency/address/attribute: SEP-29's config.memo_required set or removed, the
  // Stellar form of "destination tag required". Both leave the same state when sent twice.
  std::optional<Refusal> change_account(const AccountChange& change) override {
    stellar::Operation op;
    if (change.kind == AccountChange::Kind::TrustLine) {
      auto issuer = stellar::decode_account_id(change.trusted);
      if (!issuer)
        return Refusal{Rc::BadValue, "trustedaddress must be a Stellar account id (G..., 56 characters with a valid checksum)"};
      if (change.trusted == change.address) return Refusal{Rc::BadValue, "an address cannot trust itself"};
      const bool code_ok = !change.currency.empty() && change.currency.size() <= 12 && change.currency != "XLM" &&
                           std::all_of(change.currency.begin(), change.currency.end(),
                                       [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); });
      if (!code_ok)
        return Refusal{Rc::BadValue, "currencycode must be 1 to 12 letters or digits other than XLM (the native asset needs "
                                     "no trust line)"};
      std::int64_t limit = -1;
      try {
        limit = stellar::parse_amount(change.limit);
      } catch (const std::exception&) {
        limit = -1;
      }
      if (limit < 0)
        return Refusal{Rc::BadValue, "amount must be a decimal of at least 0 with at most 7 decimals (0 removes the line)"};
      op.body = stellar::ChangeTrust{stellar::Asset{change.currency, *issuer}, limit};
    } else {
      op.body = stellar::ManageData{kMemoRequired, change.flag ? std::optional<stellar::Bytes>(stellar::Bytes{'1'})
                                                              : std::nullopt};
    }
    return send_from(change.address, std::move(op), change.kind == AccountChange::Kind::RequireDest ? &change : nullptr);
  }

  std::variant<std::vector<TrustLine>, Refusal> trust_lines(const std::string& address) override {
    if (!stellar::decode_account_id(address))
      return Refusal{Rc::BadValue, "address must be a Stellar account id (G..., 56 characters with a valid checksum)"};
    Reply r = horizon_.get("accounts/" + address);
    if (r.kind == Reply::Kind::NotFound)
      return Refusal{Rc::NotFound, "account " + address + " does not exist on the Stellar network"};
    if (!r.ok()) return Refusal{Rc::SystemError, "Horizon cannot be reached; retry later"};
    return horizon::trust_lines_of(r.body);
  }

  Preparation prepare(const Withdrawal& w) override {
    auto retry = [](std::string m) { return Preparation{Preparation::Result::Retry, "", std::move(m), ""}; };
    auto refuse = [](std::string m) { return Preparation{Preparation::Result::Refused, "", std::move(m), ""}; };
    std::string why;
    auto dest = horizon::parse_destination(w.destination, why);
    if (!dest) return refuse("destination address: " + why);
    std::int64_t stroops = 0;
    try {
      stroops = stellar::parse_amount(w.amount);
    } catch (const std::exception&) {
      return refuse("amount " + w.amount + " is not a whole number of stroops (7 decimals)");
    }
    if (stroops <= 0) return refuse("amount " + w.amount + " is not positive");
    stellar::Asset asset;
    if (w.currency != "XLM") {
      if (auto problem = currency_problem(w.currency)) return refuse(problem->detail);
      auto c = services_.ledger->currencies().find(w.currency);
      asset.code = c->code.substr(0, c->code.find('.'));
      auto issuer = stellar::decode_account_id(c->issuer_address);
      if (!issuer) return refuse("the issuer of " + w.currency + " is not a Stellar account");
      asset.issuer = *issuer;
    }
    std::lock_guard seq_lock(seq_mu_);
    std::string seed;
    Hot hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto h = hot_account(tx);
      if (!h) return retry("the bridge has no hot account with its seed (system/bridge/updateaccount)");
      hot = *h;
      Json secrets = account_secrets(tx, *services_.secrets, hot.id);
      if (!secrets.contains("seed") || !secrets["seed"].is_string())
        return retry("the hot account's seed is not set (system/bridge/updateaccount)");
      seed = secrets["seed"].get<std::string>();
    }
    if (dest->account == hot.address) return refuse("a withdrawal to the hot account itself");
    // Whether the destination exists: a payment to one that does not fails (op_no_destination).
    bool create = false;
    {
      Reply d = horizon_.get("accounts/" + dest->account);
      if (d.kind == Reply::Kind::NotFound) {
        if (!asset.native()) return refuse("the destination " + dest->account + " does not exist on the network");
        if (dest->muxed) return refuse("the destination " + dest->account + " does not exist (a muxed address cannot be created)");
        if (stroops < kMinCreate)
          return refuse("the destination " + dest->account +
                        " does not exist on the network: creating it takes at least 1 XLM");
        create = true;
      } else if (!d.ok()) {
        return retry("GET /accounts of the destination: " + d.error);
      }
    }
    auto fees = network_fee_and_time();
    if (!fees.error.empty()) return retry(fees.error);
    if (fees.base_fee > s_.max_fee_stroops)
      return retry("the network's base fee (" + std::to_string(fees.base_fee) + " stroops) is above max_fee_stroops (" +
                   std::to_string(s_.max_fee_stroops) + ")");
    Reply info = horizon_.get("accounts/" + hot.address);
    if (!info.ok()) return retry("GET /accounts of the hot account: " + info.error);
    auto state = horizon::account_of(info.body, currency_of_fn());
    if (!state) return retry("GET /accounts of the hot account: no sequence");
    const std::int64_t sequence = std::max(state->sequence, last_sequence_in_flight(hot.address)) + 1;
    stellar::Transaction t;
    try {
      t.source = stellar::MuxedAccount{*stellar::decode_account_id(hot.address), std::nullopt};
      t.fee = static_cast<std::uint32_t>(fees.base_fee);
      t.seq_num = sequence;
      const std::uint64_t max_time = static_cast<std::uint64_t>(fees.close_time + s_.tx_timeout_seconds);
      t.time_bounds = stellar::TimeBounds{0, max_time};
      if (dest->memo) {
        t.memo.type = stellar::Memo::Type::id;
        t.memo.id = *dest->memo;
      }
      if (create) {
        t.operations.push_back({std::nullopt, stellar::CreateAccount{*stellar::decode_account_id(dest->account), stroops}});
      } else {
        stellar::MuxedAccount to{*stellar::decode_account_id(dest->account), dest->muxed};
        t.operations.push_back({std::nullopt, stellar::Payment{to, asset, stroops}});
      }
      const stellar::KeyPair key = stellar::KeyPair::from_secret(seed);
      std::fill(seed.begin(), seed.end(), '\0');
      if (key.account_id() != hot.address) return refuse("the hot account's seed is not its own");
      const stellar::Envelope env = stellar::sign_envelope(t, s_.network_passphrase, key);
      const stellar::Hash hash = stellar::transaction_hash(t, s_.network_passphrase);
      Json payload{{"envelope", stellar::envelope_base64(env)},
                   {"hash", stellar::to_hex(hash.data(), hash.size())},
                   {"account", hot.address},
                   {"sequence", sequence},
                   {"max_time", static_cast<std::int64_t>(max_time)},
                   {"fee", fees.base_fee},
                   {"operation", create ? "create_account" : "payment"}};
      return Preparation{Preparation::Result::Ready, payload.dump(), "", ""};
    } catch (const std::exception& e) {
      std::fill(seed.begin(), seed.end(), '\0');
      return refuse(std::string("cannot sign: ") + e.what());
    }
  }

  Submission submit(const Withdrawal& w) override {
    Json p = Json::parse(w.prepared);
    const std::string hash = p["hash"];
    Reply r = horizon_.submit(p["envelope"].get<std::string>());
    if (r.ok()) {
      if (r.body.value("successful", true)) return {Submission::Result::Sent, hash, ""};
      return {Submission::Result::Sent, hash, "in a ledger, failed"};
    }
    if (r.kind != Reply::Kind::Refused) return {Submission::Result::Retry, "", "submit: " + r.error};  // 504, down
    const auto codes = horizon::result_codes_of(r.body);
    const std::string type = r.body.value("type", "");
    std::string ops;
    for (const auto& o : codes.operations) ops += (ops.empty() ? "" : ",") + o;
    const std::string said = codes.transaction + (ops.empty() ? "" : " [" + ops + "]");
    // In a ledger but failed (its fee charged, its sequence used): settled as failed.
    if (codes.transaction == "tx_failed") return {Submission::Result::Sent, hash, "failed on the network: " + said};
    if (codes.transaction == "tx_bad_seq") {
      // Its sequence: used by this very transaction (found), by another (never), or ahead of
      // the account's (an earlier withdrawal not applied yet: the same envelope later).
      Submission found = find(w);
      if (found.result == Submission::Result::Sent || found.result == Submission::Result::Refused) return found;
      Reply info = horizon_.get("accounts/" + p.value("account", ""));
      auto state = info.ok() ? horizon::account_of(info.body, currency_of_fn()) : std::nullopt;
      if (state && state->sequence >= p["sequence"].get<std::int64_t>())
        return {Submission::Result::Refused, "",
                "the sequence " + p["sequence"].dump() + " of the hot account was used by another transaction"};
      return {Submission::Result::Retry, "", "submit: tx_bad_seq (an earlier transaction first)"};
    }
    if (codes.transaction == "tx_too_early") return {Submission::Result::Retry, "", "submit: tx_too_early"};
    if (codes.transaction.empty() && type.find("transaction_malformed") == std::string::npos && r.status != 400)
      return {Submission::Result::Retry, "", "submit: " + r.error};
    return {Submission::Result::Refused, "",
            "Horizon refused it: " + (said.empty() ? r.error : said)};
  }

  Submission find(const Withdrawal& w) override {
    if (w.prepared.empty()) return {Submission::Result::Retry, "", ""};
    Json p = Json::parse(w.prepared);
    const std::string hash = p["hash"];
    Reply r = horizon_.get("transactions/" + hash);
    if (r.ok()) {
      const bool ok = r.body.value("successful", false);
      return {Submission::Result::Sent, hash, ok ? "" : "in a ledger, failed"};
    }
    if (r.kind != Reply::Kind::NotFound) return {Submission::Result::Unknown, "", "cannot look the withdrawal up: " + r.error};
    // Not in any ledger. Past its time bounds by the network's clock, it never will be.
    auto close = network_close_time();
    if (!close) return {Submission::Result::Unknown, "", "cannot read the network's close time"};
    if (*close > p.value("max_time", std::int64_t{0}))
      return {Submission::Result::Refused, "",
              "expired: the network's ledgers passed its time bounds (" + p["max_time"].dump() + ") without it"};
    return {Submission::Result::Retry, "", ""};  // the same envelope again
  }

  Settlement settlement(const Withdrawal& w, const std::string& hash) override {
    Reply r = horizon_.get("transactions/" + hash);
    if (r.ok()) {
      if (!r.body.contains("successful") || !r.body["successful"].is_boolean()) return Settlement::InFlight;
      return r.body["successful"].get<bool>() ? Settlement::Completed : Settlement::Failed;
    }
    if (r.kind == Reply::Kind::NotFound && !w.prepared.empty()) {
      Json p = Json::parse(w.prepared);
      auto close = network_close_time();
      if (close && *close > p.value("max_time", std::int64_t{0})) return Settlement::Failed;
    }
    return Settlement::InFlight;
  }

  // currency/profileaddress/create: a new account whose key the platform holds, kept as an
  // issuing external account of this bridge (never the hot account); the stellarprofileaddress.
  std::variant<std::string, Refusal> create_profile_address(pqxx::work& tx, const std::string& upid) override {
    if (!services_.secrets) return Refusal{Rc::SystemError, "no secret store"};
    const stellar::KeyPair key = stellar::KeyPair::random();
    const std::string address = key.account_id();
    Json data{{"address", address}, {"seed", key.secret()}, {"label", "profile address of " + upid},
              {"issuing", true}, {"description", "profile address of " + upid}};
    UpdateResult r = update_account(tx, *services_.secrets, *this, data);
    if (r.problem) return Refusal{r.problem->rc, r.problem->detail};
    return address;
  }

  // For reconciliation: what moved through the hot account since `since`, from its payments
  // (newest first) until a page reaches back before it; amounts in the currencies' decimals.
  // nullopt when Horizon cannot be asked or answers what cannot be read, never a partial one.
  bool has_history() const override { return true; }
  std::optional<std::vector<ExternalEntry>> history(std::chrono::system_clock::time_point since) override {
    std::optional<Hot> hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      hot = hot_account(tx);
    }
    std::vector<ExternalEntry> out;
    if (!hot) return out;
    const std::int64_t since_s = std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count();
    std::string cursor;
    for (int page = 0; page < 10'000; ++page) {
      Reply r = horizon_.get("accounts/" + hot->address + "/payments?order=desc&limit=" + std::to_string(kPage) +
                             "&join=transactions" + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (r.kind == Reply::Kind::NotFound) return out;  // not on the network: nothing moved
      if (!r.ok()) return std::nullopt;
      horizon::HistoryPage h;
      try {
        h = horizon::history_of(r.body, hot->address, currency_of_fn());
      } catch (const std::exception&) {
        return std::nullopt;
      }
      for (auto& e : h.entries)
        if (e.at >= since) {
          e.amount = in_decimals_of(e.currency, e.amount);
          out.push_back(std::move(e));
        }
      if (h.records < static_cast<std::size_t>(kPage) || (h.oldest && h.oldest < since_s)) return out;
      cursor = h.last_token;
    }
    return std::nullopt;
  }

  std::optional<std::vector<ExternalBalance>> external_balances() override {
    std::optional<Hot> hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      hot = hot_account(tx);
    }
    if (!hot) return std::vector<ExternalBalance>{};
    Reply r = horizon_.get("accounts/" + hot->address);
    if (r.kind == Reply::Kind::NotFound) return std::vector<ExternalBalance>{{hot->address, "XLM", "0.0000000", false, ""}};
    if (!r.ok()) return std::nullopt;
    auto a = horizon::account_of(r.body, currency_of_fn());
    if (!a) return std::nullopt;
    std::vector<ExternalBalance> out;
    for (const auto& [currency, amount] : a->balances) {
      if (currency.find('/') != std::string::npos) continue;  // an asset no currency of ours is
      out.push_back({hot->address, currency, amount, false, ""});
    }
    return out;
  }

  std::optional<std::chrono::milliseconds> watch_interval() const override {
    if (!enabled()) return std::nullopt;
    return std::chrono::seconds(s_.poll_seconds);
  }

  int watch(const std::function<bool()>& held) override {
    try {
      std::optional<Hot> hot;
      {
        auto conn = services_.pool->acquire();
        pqxx::read_transaction tx(*conn);
        hot = hot_account(tx);
      }
      if (!hot) {
        set_error("");
        return 0;
      }
      ensure_memo_required(*hot);
      ensure_hot_trust_lines(*hot);
      int n = watch_round(hot->address, held);
      set_error("");
      return n;
    } catch (const std::exception& e) {
      set_error(e.what());
      throw;
    }
  }

 private:
  horizon::CurrencyOf currency_of_fn() const {
    return [this](const std::string& c, const std::string& i) { return currency_code_of(c, i); };
  }

  // The hot account: the first account that is not issuing and whose seed the platform holds.
  std::optional<Hot> hot_account(pqxx::transaction_base& tx) const {
    auto r = tx.exec_params(
        "SELECT id, identifier FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND NOT issuing "
        "AND secret IS NOT NULL ORDER BY id LIMIT 1",
        type(), instance());
    if (r.empty()) return std::nullopt;
    return Hot{r[0][0].as<long long>(), r[0][1].as<std::string>()};
  }

  // The highest sequence of this hot account's withdrawals still in flight (0: none).
  std::int64_t last_sequence_in_flight(const std::string& account) const {
    auto conn = services_.pool->acquire();
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec_params(
        "SELECT coalesce(max((prepared::jsonb ->> 'sequence')::bigint), 0) FROM bridge_withdrawals "
        "WHERE bridge = $1 AND instance = $2 AND prepared IS NOT NULL AND prepared::jsonb ->> 'account' = $3 "
        "AND state IN ('pending', 'submitting', 'submitted')",
        type(), instance(), account);
    return r[0][0].as<std::int64_t>();
  }

  bool in_flight() const {
    auto conn = services_.pool->acquire();
    pqxx::read_transaction tx(*conn);
    return !tx.exec_params(
                  "SELECT 1 FROM bridge_withdrawals WHERE bridge = $1 AND instance = $2 AND prepared IS NOT NULL "
                  "AND state IN ('pending', 'submitting', 'submitted') LIMIT 1",
                  type(), instance())
                .empty();
  }

  // The ledger currency of a credit asset: the bridge currency of this bridge with that code
  // and issuer; unknown ones keep the network's names ("USDC/G..."), which no ledger currency
  // has: the ledger refuses them and they wait in suspense.
  std::string currency_code_of(const std::string& code, const std::string& issuer) const {
    if (services_.ledger)
      for (const auto& c : services_.ledger->currencies().all())
        if (c.type == "bridge" && (c.bridge == ledger_name() || c.bridge == type()) && c.issuer_address == issuer &&
            c.code.substr(0, c.code.find('.')) == code)
          return c.code;
    return code + "/" + issuer;
  }

  // Horizon writes every amount with 7 decimals; a ledger currency may have fewer
  // ("25.0000000" of a 2-decimal currency is "25.00"). Only zeros are dropped: an amount
  // finer than the currency stays as it is, the ledger refuses it and it waits in suspense.
  std::string in_decimals_of(const std::string& currency, const std::string& amount) const {
    auto c = services_.ledger ? services_.ledger->currencies().find(currency) : std::nullopt;
    const auto dot = amount.find('.');
    if (!c || dot == std::string::npos) return amount;
    const std::size_t keep = static_cast<std::size_t>(c->decimals);
    std::string out = amount;
    while (out.size() - dot - 1 > keep && out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out;
  }

  std::optional<Refusal> currency_problem(const std::string& currency) const {
    if (currency == "XLM") return std::nullopt;
    auto c = services_.ledger ? services_.ledger->currencies().find(currency) : std::nullopt;
    if (!c || c->type != "bridge" || (c->bridge != ledger_name() && c->bridge != type()) || c->issuer_address.empty())
      return Refusal{Rc::BadValue, currency + " is not a currency of the " + ledger_name() + " bridge"};
    return std::nullopt;
  }

  struct FeeAndTime {
    std::int64_t base_fee = 0;    // stroops per operation
    std::int64_t close_time = 0;  // the last closed ledger's, seconds since the epoch
    std::string error;
  };
  FeeAndTime network_fee_and_time() {
    FeeAndTime out;
    Reply f = horizon_.get("fee_stats");
    if (!f.ok()) {
      out.error = "GET /fee_stats: " + f.error;
      return out;
    }
    auto base = horizon::parse_u64(f.body.value("last_ledger_base_fee", ""));
    if (!base || *base == 0 || *base > 100'000'000) {
      out.error = "GET /fee_stats: no last_ledger_base_fee";
      return out;
    }
    out.base_fee = static_cast<std::int64_t>(*base);
    auto close = network_close_time();
    if (!close) {
      out.error = "GET /: no history_latest_ledger_closed_at";
      return out;
    }
    out.close_time = *close;
    return out;
  }

  // When the network's last ledger closed (Horizon's root): the clock time bounds are judged by.
  std::optional<std::int64_t> network_close_time() {
    Reply r = horizon_.get("");
    if (!r.ok()) return std::nullopt;
    return horizon::parse_time(r.body.value("history_latest_ledger_closed_at", ""));
  }

  // Signs one operation with the key of `address` (an account of this bridge whose seed the
  // platform holds) and submits it at once, waiting for the ledger (Horizon's POST answers
  // when it is applied). For operations whose effect is the same however often they are sent
  // (ChangeTrust, ManageData). `attribute`: a config.memo_required change, skipped when the
  // account is in that state already (removing an entry that is not there fails).
  std::optional<Refusal> send_from(const std::string& address, stellar::Operation op, const AccountChange* attribute) {
    std::string seed;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto r = tx.exec_params("SELECT id FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND identifier = $3",
                              type(), instance(), address);
      if (r.empty()) return Refusal{Rc::NotFound, "address " + address + " is not one the platform holds the key of"};
      Json secrets = account_secrets(tx, *services_.secrets, r[0][0].as<long long>());
      if (!secrets.contains("seed") || !secrets["seed"].is_string())
        return Refusal{Rc::NotFound, "address " + address + " has no seed on this platform"};
      seed = secrets["seed"].get<std::string>();
    }
    auto wipe = [&seed] { std::fill(seed.begin(), seed.end(), '\0'); };
    std::lock_guard seq_lock(seq_mu_);
    Reply info = horizon_.get("accounts/" + address);
    if (info.kind == Reply::Kind::NotFound) {
      wipe();
      return Refusal{Rc::NotAvailable, "address " + address +
                                           " does not exist on the network yet: send it XLM (at least the base reserve) first"};
    }
    auto state = info.ok() ? horizon::account_of(info.body, currency_of_fn()) : std::nullopt;
    if (!state) {
      wipe();
      return Refusal{Rc::SystemError, "Horizon cannot be reached (GET /accounts); retry later"};
    }
    if (attribute && horizon::memo_required(*state) == attribute->flag) {
      wipe();
      return std::nullopt;  // already so
    }
    auto fees = network_fee_and_time();
    if (!fees.error.empty() || fees.base_fee > s_.max_fee_stroops) {
      wipe();
      return Refusal{Rc::SystemError, fees.error.empty() ? "the network's base fee is above max_fee_stroops; retry later"
                                                         : "Horizon cannot be reached (" + fees.error + "); retry later"};
    }
    try {
      stellar::Transaction t;
      t.source = stellar::MuxedAccount{*stellar::decode_account_id(address), std::nullopt};
      t.fee = static_cast<std::uint32_t>(fees.base_fee);
      t.seq_num = std::max(state->sequence, last_sequence_in_flight(address)) + 1;
      t.time_bounds = stellar::TimeBounds{0, static_cast<std::uint64_t>(fees.close_time + s_.tx_timeout_seconds)};
      t.operations.push_back(std::move(op));
      const stellar::KeyPair key = stellar::KeyPair::from_secret(seed);
      wipe();
      if (key.account_id() != address) return Refusal{Rc::SystemError, "the seed of " + address + " is not its own"};
      Reply r = horizon_.submit(stellar::envelope_base64(stellar::sign_envelope(t, s_.network_passphrase, key)));
      if (r.ok() && r.body.value("successful", true)) return std::nullopt;
      if (r.kind != Reply::Kind::Refused && !r.ok())
        return Refusal{Rc::SystemError, "Horizon did not answer (" + r.error +
                                            "): the change may still be applied; asking again is safe"};
      const auto codes = horizon::result_codes_of(r.body);
      std::string said = codes.transaction;
      for (const auto& o : codes.operations) said += " " + o;
      if (said.empty()) said = r.error;
      std::string hint;
      if (said.find("op_low_reserve") != std::string::npos) hint = ": the account needs more XLM for the reserve";
      if (said.find("op_invalid_limit") != std::string::npos)
        hint = ": a limit below the line's balance, or 0 for a line that does not exist or still holds some";
      if (said.find("op_no_issuer") != std::string::npos) hint = ": the issuer does not exist on the network";
      return Refusal{Rc::BadValue, "the Stellar network refused it: " + said + hint};
    } catch (const std::exception& e) {
      wipe();
      return Refusal{Rc::SystemError, std::string("cannot sign: ") + e.what()};
    }
  }

  // The hot account trusts the issuer of every bridge currency of this bridge that takes
  // deposits or withdrawals (with the largest limit): a credit asset reaches an account only
  // through a trust line, and a withdrawal of one pays from the hot account's line. Sent from
  // the watcher when none of the hot account's withdrawals is in flight (one sequence).
  void ensure_hot_trust_lines(const Hot& hot) {
    if (!services_.ledger) return;
    std::vector<stellar::Asset> wanted;
    std::vector<std::string> names;
    for (const auto& c : services_.ledger->currencies().all()) {
      if (c.type != "bridge" || (c.bridge != ledger_name() && c.bridge != type()) || c.issuer_address == hot.address)
        continue;
      if (c.deposit_methods.empty() && c.withdraw_methods.empty()) continue;
      auto issuer = stellar::decode_account_id(c.issuer_address);
      const std::string code = c.code.substr(0, c.code.find('.'));
      if (!issuer || code.empty() || code.size() > 12) continue;
      const std::string name = code + ":" + c.issuer_address;
      std::lock_guard lock(mu_);
      if (trusted_.count(name)) continue;
      wanted.push_back(stellar::Asset{code, *issuer});
      names.push_back(name);
    }
    if (wanted.empty()) return;
    {
      std::lock_guard lock(mu_);
      if (std::chrono::steady_clock::now() < next_trust_attempt_) return;
      next_trust_attempt_ = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    }
    Reply info = horizon_.get("accounts/" + hot.address);
    if (!info.ok()) return;
    const auto lines = horizon::trust_lines_of(info.body);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto& name = names[i];
      const bool has = std::any_of(lines.begin(), lines.end(),
                                   [&](const TrustLine& l) { return l.currency + ":" + l.issuer_address == name; });
      if (!has) {
        if (in_flight()) return;
        stellar::Operation op;
        op.body = stellar::ChangeTrust{wanted[i], std::numeric_limits<std::int64_t>::max()};
        if (auto refused = send_from(hot.address, std::move(op), nullptr)) {
          log::warn("stellar: the hot account's trust line is not set", {{"bridge", key()}, {"asset", name},
                                                                         {"error", refused->detail}});
          continue;
        }
        log::info("stellar hot account trusts an issuer", {{"bridge", key()}, {"asset", name}});
      }
      std::lock_guard lock(mu_);
      trusted_.insert(name);
    }
  }

  // SEP-29: the hot account says that payments to it need a memo, so that wallets that
  // follow SEP-29 refuse a deposit without one. Sent once it exists on the network, when no
  // withdrawal is in flight (they share its sequence numbers).
  void ensure_memo_required(const Hot& hot) {
    {
      std::lock_guard lock(mu_);
      if (memo_required_ == hot.address) return;
    }
    Reply info = horizon_.get("accounts/" + hot.address);
    if (!info.ok()) return;  // not funded yet, or Horizon down: the round says so
    auto state = horizon::account_of(info.body, currency_of_fn());
    if (!state) return;
    if (horizon::memo_required(*state)) {
      std::lock_guard lock(mu_);
      memo_required_ = hot.address;
      return;
    }
    std::lock_guard seq_lock(seq_mu_);
    if (in_flight()) return;
    std::string seed;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      Json secrets = account_secrets(tx, *services_.secrets, hot.id);
      if (!secrets.contains("seed") || !secrets["seed"].is_string()) return;
      seed = secrets["seed"].get<std::string>();
    }
    auto fees = network_fee_and_time();
    if (!fees.error.empty() || fees.base_fee > s_.max_fee_stroops) return;
    try {
      stellar::Transaction t;
      t.source = stellar::MuxedAccount{*stellar::decode_account_id(hot.address), std::nullopt};
      t.fee = static_cast<std::uint32_t>(fees.base_fee);
      t.seq_num = state->sequence + 1;
      t.time_bounds = stellar::TimeBounds{0, static_cast<std::uint64_t>(fees.close_time + s_.tx_timeout_seconds)};
      t.operations.push_back({std::nullopt, stellar::ManageData{kMemoRequired, stellar::Bytes{'1'}}});
      const stellar::KeyPair key = stellar::KeyPair::from_secret(seed);
      std::fill(seed.begin(), seed.end(), '\0');
      Reply r = horizon_.submit(stellar::envelope_base64(stellar::sign_envelope(t, s_.network_passphrase, key)));
      if (r.ok()) {
        log::info("stellar hot account publishes config.memo_required (SEP-29)", {{"bridge", key_name()}, {"account", hot.address}});
        std::lock_guard lock(mu_);
        memo_required_ = hot.address;
      } else {
        log::warn("stellar: config.memo_required not set yet", {{"bridge", key_name()}, {"error", r.error}});
      }
    } catch (const std::exception& e) {
      std::fill(seed.begin(), seed.end(), '\0');
      log::warn("stellar: config.memo_required not set", {{"bridge", key_name()}, {"error", e.what()}});
    }
  }
  std::string key_name() const { return key(); }

  std::string load_cursor(const std::string& account) const {
    auto conn = services_.pool->acquire();
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec_params(
        "SELECT position ->> 'cursor' FROM bridge_positions WHERE bridge = $1 AND instance = $2 AND account = $3",
        type(), instance(), account);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  // One round of the deposit watcher: payments pages from the persisted paging token, each
  // page recorded in the transaction that moves the position past it.
  int watch_round(const std::string& hot, const std::function<bool()>& held) {
    int recorded = 0;
    for (int page = 0; page < 1000 && held(); ++page) {
      const std::string cursor = load_cursor(hot);
      Reply r = horizon_.get("accounts/" + hot + "/payments?order=asc&limit=" + std::to_string(kPage) +
                             "&join=transactions" + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (r.kind == Reply::Kind::NotFound) break;  // the account does not exist yet
      if (!r.ok()) throw std::runtime_error(r.error);
      auto seen = horizon::payments_of(r.body, hot, currency_of_fn());
      for (auto& a : seen.arrivals) a.amount = in_decimals_of(a.currency, a.amount);
      for (const auto& why : seen.unreadable) log::warn("stellar deposit left out", {{"bridge", key()}, {"why", why}});
      if (seen.records == 0) break;
      auto conn = services_.pool->acquire();
      pqxx::work tx(*conn);
      recorded += receive_all(tx, *this, seen.arrivals);
      tx.exec_params(
          "INSERT INTO bridge_positions (bridge, instance, account, position) VALUES ($1, $2, $3, $4::jsonb) "
          "ON CONFLICT (bridge, instance, account) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
          type(), instance(), hot, Json{{"cursor", seen.last_token}}.dump());
      tx.commit();
      if (seen.records < static_cast<std::size_t>(kPage)) break;
    }
    return recorded;
  }

  InstanceSettings s_;
  Services services_;
  horizon::Client horizon_;
  mutable std::mutex mu_;
  std::mutex seq_mu_;  // the hot account's sequence numbers: prepare() and the memo_required setting
  std::string memo_required_;  // the hot account seen publishing config.memo_required
  std::set<std::string> trusted_;  // "CODE:issuer" lines the hot account has (seen or made)
  std::chrono::steady_clock::time_point next_trust_attempt_{};
};

}  // namespace

const AccountSchema& stellar_schema() {
  static const AccountSchema schema{
      .identifier = "address",
      .attributes = {
          {.name = "address", .label = "Account id (G...)", .type = "string", .masked = false, .required = true},
          {.name = "seed", .label = "Secret seed (S...): signs withdrawals", .type = "string", .masked = true,
           .required = false},
          {.name = "label", .label = "What the account is for", .type = "string", .masked = false, .required = false},
      },
      .check = check_account};
  return schema;
}

std::unique_ptr<Bridge> make_stellar(InstanceSettings settings) { return std::make_unique<Stellar>(std::move(settings)); }

}  // namespace og::bridges

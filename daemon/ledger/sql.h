#pragma once
// The ledger's SQL: the statements each committer connection prepares, the encoders that
// write a batch's rows as statement parameters (Columns: one array literal per column for
// unnest; Rows: JSON for json_to_recordset), and the balances' advisory lock keys. The
// batch's write itself (Batch::write) is in sql.cpp.

#include <cstddef>
#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/amount.h"
#include "daemon/ledger/balance_cache.h"
#include "daemon/ledger/ledger.h"

namespace og::ledger::engine {

// The hot path's statements, prepared once per committer connection.
inline constexpr const char* kCreateBalances = "ledger_create_balances";
inline constexpr const char* kWriteBatch = "ledger_write_batch";
inline constexpr const char* kWriteMoves = "ledger_write_moves";

void prepare_statements(pqxx::connection& conn);

// Rows for json_to_recordset (the balances to create), written straight
// into a string: a general JSON library costs several allocations per value here.
class Rows {
 public:
  Rows& row() {
    text_ += count_++ ? ",{" : "{";
    first_ = true;
    return *this;
  }
  Rows& str(const char* key, std::string_view value) {
    name(key);
    text_ += '"';
    for (char c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        text_ += "\\u00";
        text_ += kHex[u >> 4];
        text_ += kHex[u & 15];
      } else {
        text_ += c;
      }
    }
    text_ += '"';
    return *this;
  }
  Rows& boolean(const char* key, bool v) {
    name(key);
    text_ += v ? "true" : "false";
    return *this;
  }
  Rows& end() {
    text_ += '}';
    return *this;
  }
  std::string text() const { return "[" + text_ + "]"; }

 private:
  void name(const char* key) {
    if (!first_) text_ += ',';
    first_ = false;
    text_ += '"';
    text_ += key;
    text_ += "\":";
  }
  std::string text_;
  std::size_t count_ = 0;
  bool first_ = true;
};

// Columns of rows for unnest(): one PostgreSQL array literal per column, written straight
// into strings. An empty string value stays distinct from NULL (an absent value).
class Columns {
 public:
  explicit Columns(std::size_t n) : cols_(n, "{") {}
  Columns& str(std::size_t c, std::string_view v) {
    std::string& s = sep(c);
    s += '"';
    for (char ch : v) {
      if (ch == '\0') throw std::invalid_argument("a text value holds a NUL character");
      if (ch == '"' || ch == '\\') s += '\\';
      s += ch;
    }
    s += '"';
    return *this;
  }
  Columns& opt(std::size_t c, std::string_view v) { return v.empty() ? null(c) : str(c, v); }  // "" -> NULL
  Columns& units(std::size_t c, int128 v) {
    sep(c) += int128_to_string(v);
    return *this;
  }
  Columns& integer(std::size_t c, std::int64_t v) {
    sep(c) += std::to_string(v);
    return *this;
  }
  Columns& boolean(std::size_t c, bool v) {
    sep(c) += v ? 't' : 'f';
    return *this;
  }
  Columns& null(std::size_t c) {
    sep(c) += "NULL";
    return *this;
  }
  bool empty() const { return cols_.empty() || cols_[0].size() == 1; }
  // Appends the finished literals to `out`.
  void take(std::vector<std::string>& out) {
    for (auto& c : cols_) out.push_back(std::move(c) + "}");
  }

 private:
  std::string& sep(std::size_t c) {
    std::string& s = cols_.at(c);
    if (s.size() > 1) s += ',';
    return s;
  }
  std::vector<std::string> cols_;
};

// A balance's units as the database returned them (text).
int128 units_of(const pqxx::field& f);

// The balances' lock keys in the global lock order (ascending), as an array literal.
std::string ordered_lock_keys(const std::map<BalanceKey, bool>& wanted);

// After commit: the answer stored for a key used before (or by a batch-mate).
Outcome replay(pqxx::connection& conn, const Ledger::Item& item);

}  // namespace og::ledger::engine

#pragma once
// What the bridges' integration tests share (tests/integration/{ripple,bitcoin,stellar}_tests.cpp):
// waiting for the jobs, and reading omnid's own database.

#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "tests/support/omnid_process.h"

namespace og::test {

inline void require_ok(const Answer& a) {
  INFO(a.body);
  REQUIRE(a.resultcode() == 10000);
}

// require_ok, with omnid's log on failure (for answers that name a request id).
inline void require_ok(const Answer& a, const Omnid& omnid) {
  if (a.resultcode() != 10000) FAIL(a.body << "\nomnid:\n" << omnid.log());
}

// Waits until `pred` holds (false after `timeout`).
template <class F>
bool eventually(F pred, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// A withdrawal's state in bridge_withdrawals ("" when it has no row yet).
inline std::string withdrawal_state(Omnid& omnid, const std::string& txid) {
  pqxx::connection c(omnid.db_conninfo());
  pqxx::nontransaction tx(c);
  auto r = tx.exec_params("SELECT state FROM bridge_withdrawals WHERE txid = $1", txid);
  return r.empty() ? "" : r[0][0].as<std::string>();
}

// The one number a query answers, with at most one parameter.
inline long long count_of(Omnid& omnid, const std::string& sql, const std::string& arg = "") {
  pqxx::connection c(omnid.db_conninfo());
  pqxx::nontransaction tx(c);
  return arg.empty() ? tx.exec1(sql)[0].as<long long>() : tx.exec_params1(sql, arg)[0].as<long long>();
}

}  // namespace og::test

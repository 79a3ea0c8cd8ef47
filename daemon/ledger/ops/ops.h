#pragma once
// The ledger's operations, one file each (ops/<name>.cpp), behind one fixed set of
// functions that the batch calls through one generic dispatch (docs/ledger.md, "How to add
// an operation"). Rules<Op> holds an operation's rules:
//
//   begins_transaction   whether its prepare may read or create rows: then the batch's
//                        transaction starts before any of it (a batch of operations that
//                        do not may go to the database as one statement)
//   conflict_keys(op, actor)
//                        what it contends on as far as its request tells (the wallets it
//                        names, an account it moves against, a row it closes); batch
//                        formation only: correctness rests on the database locks
//   name_wallets(op, waids)
//                        the wallets it names, read (or found cached) for the whole batch
//   prepare(batch, item, plan, index, op, state)
//                        its checks against the request and the wallets' facts, and the
//                        balances it needs locked (Batch::want); fills its Plan or fails
//   apply(batch, item, plan, op, state)
//                        its checks against the locked balances and its postings
//                        (Batch::post) and journal rows; sets the item's outcome or fails
//
// and, optionally, per-batch work over all of its items of a batch:
//
//   struct State         what lock/read found, for prepare and apply
//   lock(batch, state)   rows it locks before the balances, in their global order
//   read(batch, state)   rows it reads once the batch's row locks are held
//
// Every batch calls all operations' lock hooks, then all read hooks, then prepare item by
// item in arrival order; later apply item by item. The batch reaches an item's Rules with
// one generic std::visit per step (`[&]<class Op>(const Op& op) { Rules<Op>::...; }`).

#include <concepts>
#include <cstddef>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/ledger/ledger.h"

namespace og::ledger::engine {

class Batch;
struct Plan;
using Item = Ledger::Item;

template <class Op>
struct Rules;  // one specialisation per operation of the Operation variant

template <>
struct Rules<Transfer> {
  static constexpr bool begins_transaction = false;
  static std::vector<std::string> conflict_keys(const Transfer& op, const Actor& actor);
  static void name_wallets(const Transfer& op, std::vector<std::string>& waids);
  struct State {};
  static void prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const Transfer& op, State& s);
  static void apply(Batch& b, Item& item, Plan& plan, const Transfer& op, State& s);
};

template <>
struct Rules<Withdraw> {  // a hold: available -> held, Pending until closed
  static constexpr bool begins_transaction = true;
  static std::vector<std::string> conflict_keys(const Withdraw& op, const Actor& actor);
  static void name_wallets(const Withdraw& op, std::vector<std::string>& waids);
  struct State {};
  static void prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const Withdraw& op, State& s);
  static void apply(Batch& b, Item& item, Plan& plan, const Withdraw& op, State& s);
};

template <>
struct Rules<Deposit> {
  static constexpr bool begins_transaction = true;
  static std::vector<std::string> conflict_keys(const Deposit& op, const Actor& actor);
  static void name_wallets(const Deposit& op, std::vector<std::string>& waids);
  struct State {
    std::map<std::pair<std::string, std::string>, pqxx::row> recorded;  // (bridge, external id) -> its deposit
    std::map<std::string, std::size_t> by_external;  // bridge/external id -> first item of the batch
  };
  static void read(Batch& b, State& s);
  static void prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const Deposit& op, State& s);
  static void apply(Batch& b, Item& item, Plan& plan, const Deposit& op, State& s);
};

template <>
struct Rules<Issue> {
  static constexpr bool begins_transaction = true;
  static std::vector<std::string> conflict_keys(const Issue& op, const Actor& actor);
  static void name_wallets(const Issue& op, std::vector<std::string>& waids);
  struct State {};
  static void prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const Issue& op, State& s);
  static void apply(Batch& b, Item& item, Plan& plan, const Issue& op, State& s);
};

template <>
struct Rules<CloseWithdraw> {  // post (completed) or void (failed) a pending withdrawal
  static constexpr bool begins_transaction = true;
  static std::vector<std::string> conflict_keys(const CloseWithdraw& op, const Actor& actor);
  static void name_wallets(const CloseWithdraw& op, std::vector<std::string>& waids);
  struct State {
    std::map<std::string, pqxx::row> pending;  // txid -> its row, locked
  };
  static void lock(Batch& b, State& s);
  static void prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const CloseWithdraw& op, State& s);
  static void apply(Batch& b, Item& item, Plan& plan, const CloseWithdraw& op, State& s);
};

// The functions every operation gives (see above).
template <class Op>
concept LedgerOperation = requires(const Op& op, const Actor& actor, std::vector<std::string>& waids, Batch& b,
                                   Item& item, Plan& plan, typename Rules<Op>::State& s) {
  { Rules<Op>::begins_transaction } -> std::convertible_to<bool>;
  { Rules<Op>::conflict_keys(op, actor) } -> std::same_as<std::vector<std::string>>;
  Rules<Op>::name_wallets(op, waids);
  Rules<Op>::prepare(b, item, plan, std::size_t{0}, op, s);
  Rules<Op>::apply(b, item, plan, op, s);
};

// The per-batch states of all operations, one per alternative of the variant.
template <class V>
struct StatesOf;
template <class... Ops>
struct StatesOf<std::variant<Ops...>> {
  static_assert((LedgerOperation<Ops> && ...), "every operation gives Rules<Op> (ops/ops.h)");
  using type = std::tuple<typename Rules<Ops>::State...>;
};
using OperationStates = StatesOf<Operation>::type;

// Op's state in a batch's states.
template <class Op>
typename Rules<Op>::State& state_of(OperationStates& states) {
  return std::get<typename Rules<Op>::State>(states);  // distinct types: each is Rules<Op>'s own
}

// Calls f.template operator()<Op>() for every operation, in the variant's order.
template <class F, class... Ops>
void for_each_operation(F&& f, std::variant<Ops...>*) {
  (f.template operator()<Ops>(), ...);
}
template <class F>
void for_each_operation(F&& f) {
  for_each_operation(std::forward<F>(f), static_cast<Operation*>(nullptr));
}

}  // namespace og::ledger::engine

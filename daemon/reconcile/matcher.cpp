#include "daemon/reconcile/matcher.h"

#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace og::reconcile {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::Matched: return "matched";
    case Kind::AmountMismatch: return "amount_mismatch";
    case Kind::InternalOnly: return "internal_only";
    case Kind::ExternalOnly: return "external_only";
    case Kind::Duplicate: return "duplicate";
  }
  return "?";
}

const char* to_string(Via v) {
  switch (v) {
    case Via::Reference: return "reference";
    case Via::Batch: return "batch";
    case Via::AmountDate: return "amount_date";
    case Via::None: return "none";
  }
  return "?";
}

std::size_t Report::count(Kind k) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [k](const Finding& f) { return f.kind == k; }));
}

bool Report::clean() const {
  return std::all_of(findings.begin(), findings.end(), [](const Finding& f) { return f.kind == Kind::Matched; });
}

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

class Matcher {
 public:
  Matcher(const std::vector<Record>& in, const std::vector<Record>& ex, const Options& o)
      : in_(in), ex_(ex), o_(o), used_in_(in.size(), 0), used_ex_(ex.size(), 0), next_ex_(ex.size(), kNone) {}

  Report run() {
    index_external();
    duplicates();
    by_reference();
    by_batch();
    by_amount_and_date();
    leftovers();
    return std::move(r_);
  }

 private:
  struct Chain {
    std::uint32_t head = kNone, tail = kNone;
  };

  void emit(Kind k, Via v, std::span<const std::uint32_t> ins, std::span<const std::uint32_t> exs) {
    Finding f{k, v, static_cast<std::uint32_t>(r_.internal.size()), 0, static_cast<std::uint32_t>(r_.external.size()), 0};
    r_.internal.insert(r_.internal.end(), ins.begin(), ins.end());
    r_.external.insert(r_.external.end(), exs.begin(), exs.end());
    f.internal_end = static_cast<std::uint32_t>(r_.internal.size());
    f.external_end = static_cast<std::uint32_t>(r_.external.size());
    r_.findings.push_back(f);
  }
  void emit1(Kind k, Via v, std::uint32_t i, std::uint32_t e) {
    const std::uint32_t a[1] = {i}, b[1] = {e};
    emit(k, v, i == kNone ? std::span<const std::uint32_t>() : std::span<const std::uint32_t>(a),
         e == kNone ? std::span<const std::uint32_t>() : std::span<const std::uint32_t>(b));
  }

  // External records by reference, in input order (a chain through next_ex_).
  void index_external() {
    by_ref_.reserve(ex_.size());
    for (std::uint32_t e = 0; e < ex_.size(); ++e) {
      if (ex_[e].reference.empty()) continue;
      Chain& c = by_ref_[ex_[e].reference];
      if (c.head == kNone) c.head = e;
      else next_ex_[c.tail] = e;
      c.tail = e;
    }
  }

  // The external side: a record that repeats an earlier one of its reference exactly (the
  // same statement imported twice, overlapping downloads). The internal side: a reference
  // booked twice in one currency (a deposit credited twice).
  void duplicates() {
    std::vector<std::uint32_t> firsts;
    for (auto& [ref, chain] : by_ref_) {
      firsts.clear();
      for (std::uint32_t e = chain.head; e != kNone; e = next_ex_[e]) {
        const Record& x = ex_[e];
        auto same = std::find_if(firsts.begin(), firsts.end(), [&](std::uint32_t f) {
          return ex_[f].currency == x.currency && ex_[f].units == x.units && ex_[f].day == x.day;
        });
        if (same == firsts.end()) {
          firsts.push_back(e);
          continue;
        }
        used_ex_[e] = 1;
        const std::uint32_t pair[2] = {*same, e};
        emit(Kind::Duplicate, Via::Reference, {}, pair);
      }
    }
    std::unordered_map<std::string_view, std::uint32_t> seen;
    seen.reserve(in_.size());
    for (std::uint32_t i = 0; i < in_.size(); ++i) {
      if (in_[i].reference.empty()) continue;
      auto [it, fresh] = seen.emplace(in_[i].reference, i);
      if (fresh || in_[it->second].currency != in_[i].currency) continue;
      used_in_[i] = 1;
      const std::uint32_t pair[2] = {it->second, i};
      emit(Kind::Duplicate, Via::Reference, pair, {});
    }
  }

  // The unused external records of a reference.
  void group_of(std::string_view ref, std::vector<std::uint32_t>& out) const {
    out.clear();
    auto it = by_ref_.find(ref);
    if (it == by_ref_.end()) return;
    for (std::uint32_t e = it->second.head; e != kNone; e = next_ex_[e])
      if (!used_ex_[e]) out.push_back(e);
  }

  void by_reference() {
    std::vector<std::uint32_t> group;
    for (std::uint32_t i = 0; i < in_.size(); ++i) {
      if (used_in_[i] || in_[i].reference.empty()) continue;
      group_of(in_[i].reference, group);
      if (group.empty()) continue;
      const Record& x = in_[i];
      if (group.size() > 1) {
        int128 sum = 0;
        bool one_currency = true, fits = true;
        for (std::uint32_t e : group) {
          one_currency = one_currency && ex_[e].currency == x.currency;
          fits = fits && !__builtin_add_overflow(sum, ex_[e].units, &sum);
        }
        if (one_currency && fits && sum == x.units) {
          used_in_[i] = 1;
          for (std::uint32_t e : group) used_ex_[e] = 1;
          const std::uint32_t a[1] = {i};
          emit(Kind::Matched, Via::Reference, a, group);
          continue;
        }
      }
      const std::uint32_t e = group.front();
      used_in_[i] = used_ex_[e] = 1;
      const bool same = ex_[e].currency == x.currency && ex_[e].units == x.units;
      emit1(same ? Kind::Matched : Kind::AmountMismatch, Via::Reference, i, e);
    }
  }

  void by_batch() {
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> batches;
    for (std::uint32_t i = 0; i < in_.size(); ++i)
      if (!used_in_[i] && !in_[i].batch.empty()) batches[in_[i].batch].push_back(i);
    std::vector<std::uint32_t> group;
    for (auto& [batch, members] : batches) {
      group_of(batch, group);
      if (group.empty()) continue;
      const std::uint32_t e = group.front();
      int128 sum = 0;
      bool same = true;
      for (std::uint32_t i : members) {
        same = same && in_[i].currency == ex_[e].currency;
        same = same && !__builtin_add_overflow(sum, in_[i].units, &sum);
      }
      same = same && sum == ex_[e].units;
      for (std::uint32_t i : members) used_in_[i] = 1;
      used_ex_[e] = 1;
      const std::uint32_t b[1] = {e};
      emit(same ? Kind::Matched : Kind::AmountMismatch, Via::Batch, members, b);
    }
  }

  struct Key {
    std::uint32_t currency;
    int128 units;
    std::int32_t day;
    std::uint32_t index;
    bool operator<(const Key& o) const {
      if (currency != o.currency) return currency < o.currency;
      if (units != o.units) return units < o.units;
      if (day != o.day) return day < o.day;
      return index < o.index;
    }
  };

  std::vector<Key> keys_of(const std::vector<Record>& side, const std::vector<char>& used,
                           std::unordered_map<std::string_view, std::uint32_t>& currencies) const {
    std::vector<Key> keys;
    for (std::uint32_t i = 0; i < side.size(); ++i) {
      if (used[i]) continue;
      auto [it, fresh] = currencies.emplace(side[i].currency, static_cast<std::uint32_t>(currencies.size()));
      (void)fresh;
      keys.push_back(Key{it->second, side[i].units, side[i].day, i});
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  // Equal currency and amount, dates within the window: both sides sorted by (currency,
  // amount, date), then within each group the earliest pairs first (greedy on sorted dates
  // pairs as many as can be paired).
  void by_amount_and_date() {
    std::unordered_map<std::string_view, std::uint32_t> currencies;
    const std::vector<Key> a = keys_of(in_, used_in_, currencies), b = keys_of(ex_, used_ex_, currencies);
    auto group_less = [](const Key& x, const Key& y) {
      return x.currency != y.currency ? x.currency < y.currency : x.units < y.units;
    };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (group_less(a[i], b[j])) { ++i; continue; }
      if (group_less(b[j], a[i])) { ++j; continue; }
      std::size_t ie = i, je = j;
      while (ie < a.size() && !group_less(a[i], a[ie])) ++ie;
      while (je < b.size() && !group_less(b[j], b[je])) ++je;
      while (i < ie && j < je) {
        const std::int64_t gap = static_cast<std::int64_t>(a[i].day) - b[j].day;
        if (gap > o_.window_days) { ++j; continue; }
        if (-gap > o_.window_days) { ++i; continue; }
        used_in_[a[i].index] = used_ex_[b[j].index] = 1;
        emit1(Kind::Matched, Via::AmountDate, a[i].index, b[j].index);
        ++i;
        ++j;
      }
      i = ie;
      j = je;
    }
  }

  void leftovers() {
    for (std::uint32_t i = 0; i < in_.size(); ++i)
      if (!used_in_[i]) emit1(Kind::InternalOnly, Via::None, i, kNone);
    for (std::uint32_t e = 0; e < ex_.size(); ++e)
      if (!used_ex_[e]) emit1(Kind::ExternalOnly, Via::None, kNone, e);
  }

  const std::vector<Record>& in_;
  const std::vector<Record>& ex_;
  Options o_;
  std::vector<char> used_in_, used_ex_;
  std::vector<std::uint32_t> next_ex_;
  std::unordered_map<std::string_view, Chain> by_ref_;
  Report r_;
};

}  // namespace

Report match(const std::vector<Record>& internal, const std::vector<Record>& external, const Options& options) {
  if (internal.size() >= kNone || external.size() >= kNone)
    throw std::invalid_argument("reconciliation: more than 2^32 - 1 records on one side");
  if (options.window_days < 0) throw std::invalid_argument("reconciliation: window_days must be at least 0");
  return Matcher(internal, external, options).run();
}

}  // namespace og::reconcile

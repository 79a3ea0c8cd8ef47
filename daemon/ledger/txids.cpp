#include "daemon/ledger/txids.h"

#include <algorithm>
#include <stdexcept>

#include "common/crypto.h"
#include "common/ids.h"

namespace og::ledger {

namespace {
constexpr std::uint64_t kHalf = 100'000'000ULL;  // 10^8: each half of the 16 digits
constexpr int kRounds = 8;
}  // namespace

TxidCodec::TxidCodec(std::string key) : key_(std::move(key)) {
  if (key_.size() != 32) throw std::invalid_argument("the txid key must be 32 bytes");
}

std::uint64_t TxidCodec::round(int i, std::uint64_t x) const {
  // key || i || x (4 bytes, big-endian): one SHA-256 block.
  char buf[32 + 1 + 4];
  std::copy(key_.begin(), key_.end(), buf);
  buf[32] = static_cast<char>(i);
  for (int b = 0; b < 4; ++b) buf[33 + b] = static_cast<char>((x >> (8 * (3 - b))) & 0xff);
  const auto h = crypto::sha256(std::string_view(buf, sizeof buf));
  std::uint64_t v = 0;
  for (int b = 0; b < 7; ++b) v = (v << 8) | h[b];
  return v % kHalf;
}

std::uint64_t TxidCodec::permute(std::uint64_t seq) const {
  if (seq >= kSpace) throw std::out_of_range("transaction sequence number out of range");
  std::uint64_t l = seq / kHalf, r = seq % kHalf;
  for (int i = 0; i < kRounds; ++i) {
    const std::uint64_t t = r;
    r = (l + round(i, r)) % kHalf;
    l = t;
  }
  return l * kHalf + r;
}

std::uint64_t TxidCodec::unpermute(std::uint64_t number) const {
  if (number >= kSpace) throw std::out_of_range("txid number out of range");
  std::uint64_t l = number / kHalf, r = number % kHalf;
  for (int i = kRounds - 1; i >= 0; --i) {
    const std::uint64_t t = l;
    l = (r + kHalf - round(i, l)) % kHalf;
    r = t;
  }
  return l * kHalf + r;
}

std::string TxidCodec::txid_of(std::uint64_t seq) const { return format_id(IdKind::Txid, permute(seq)); }

std::optional<std::uint64_t> TxidCodec::seq_of(std::string_view txid) const {
  auto n = id_number(IdKind::Txid, txid);
  if (!n) return std::nullopt;
  return unpermute(*n);
}

TxidCodec TxidCodec::load(pqxx::transaction_base& tx) {
  auto r = tx.exec("SELECT encode(value, 'hex') FROM ledger_secrets WHERE name = 'txid'");
  auto key = r.size() == 1 ? crypto::hex_decode(r[0][0].as<std::string>()) : std::nullopt;
  if (!key) throw std::runtime_error("the database has no txid key (migration 0009)");
  return TxidCodec(std::move(*key));
}

std::uint64_t SeqBlock::next(pqxx::transaction_base& tx) {
  for (;;) {
    while (next_ < end_) {
      const std::uint64_t s = next_++;
      if (!std::binary_search(taken_.begin(), taken_.end(), s)) return s;
    }
    const auto block = tx.exec1("SELECT nextval('ledger_txid_blocks')")[0].as<std::uint64_t>();
    if (block >= TxidCodec::kSpace / kSize)
      throw std::runtime_error("transaction sequence numbers exhausted");
    // The block is used only once its taken numbers are known (a failed read loses it).
    const std::uint64_t first = block * kSize, end = first + kSize;
    std::vector<std::uint64_t> taken;
    for (const auto& row : tx.exec_params("SELECT seq FROM transactions WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                                          static_cast<std::int64_t>(first), static_cast<std::int64_t>(end)))
      taken.push_back(row[0].as<std::uint64_t>());
    taken_ = std::move(taken);
    next_ = first;
    end_ = end;
  }
}

}  // namespace og::ledger

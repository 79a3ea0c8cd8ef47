#pragma once
// Transaction ids and the journal's sequence numbers (migration 0009).
//
// A transaction's row is keyed by a sequence number, seq, handed out in increasing blocks,
// so new rows are appended at the right edge of the primary key instead of on a random
// leaf. Its txid, txid_ + 16 digits, is a keyed permutation of seq over 0 .. 10^16 - 1: it
// leads back to the row (seq_of), and without the key (ledger_secrets, in the database)
// one transaction's id says nothing of another's.
//
// The permutation is an 8-round Feistel network on two halves of 8 digits (L, R):
//   round i:  (L, R) -> (R, (L + F(i, R)) mod 10^8)
//   F(i, x) = the first 7 bytes of SHA-256(key || byte i || 4-byte big-endian x), as an
//             unsigned big-endian integer, mod 10^8.
// The SQL functions ledger_txid_of and ledger_txid_seq of migration 0009 compute the same.

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace og::ledger {

class TxidCodec {
 public:
  static constexpr std::uint64_t kSpace = 10'000'000'000'000'000ULL;  // 10^16 sequence numbers

  explicit TxidCodec(std::string key);  // the 32-byte key of ledger_secrets 'txid'

  std::string txid_of(std::uint64_t seq) const;  // seq < kSpace, or std::out_of_range
  // The sequence number of a txid; nullopt when the text is not one (wrong shape).
  std::optional<std::uint64_t> seq_of(std::string_view txid) const;

  // The permutation itself, on numbers below kSpace.
  std::uint64_t permute(std::uint64_t seq) const;
  std::uint64_t unpermute(std::uint64_t number) const;

  // Reads the key (migration 0009 makes it).
  static TxidCodec load(pqxx::transaction_base& tx);

 private:
  std::uint64_t round(int i, std::uint64_t x) const;
  std::string key_;
};

// Sequence numbers for one committer: a block of 1000 from ledger_txid_blocks at a time,
// without the numbers rows already hold (the rows migrated from random txids keep the
// inverse permutation of theirs, anywhere in the space). A number handed out is never
// handed out again, even if its batch rolls back: gaps are harmless, reuse would not be.
class SeqBlock {
 public:
  static constexpr std::uint64_t kSize = 1000;

  // The next sequence number; takes a new block through `tx` (inside the caller's
  // transaction: nextval is not rolled back) when this one is used up.
  std::uint64_t next(pqxx::transaction_base& tx);

 private:
  std::uint64_t next_ = 0, end_ = 0;
  std::vector<std::uint64_t> taken_;  // ascending, within [next_, end_)
};

}  // namespace og::ledger

// Identifiers: shape, prefixes, validation, and the uniformity of generated digits.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/ids.h"

using og::IdKind;

namespace Catch {
template <>
struct StringMaker<IdKind> {
  static std::string convert(IdKind k) { return std::string(og::prefix(k)); }
};
}  // namespace Catch

TEST_CASE("ids: each kind has its four-letter prefix", "[ids]") {
  CHECK(og::prefix(IdKind::Upid) == "upid");
  CHECK(og::prefix(IdKind::Uuid) == "uuid");
  CHECK(og::prefix(IdKind::Waid) == "waid");
  CHECK(og::prefix(IdKind::Txid) == "txid");
  CHECK(og::prefix(IdKind::Akid) == "akid");
  CHECK(og::prefix(IdKind::Prid) == "prid");
  CHECK(og::prefix(IdKind::Ntid) == "ntid");
  CHECK(og::prefix(IdKind::Fsid) == "fsid");
  std::set<std::string_view> seen;
  for (IdKind k : og::kAllIdKinds) seen.insert(og::prefix(k));
  CHECK(seen.size() == og::kAllIdKinds.size());
}

TEST_CASE("ids: id_kind_of names the kind of a valid id", "[ids]") {
  for (IdKind k : og::kAllIdKinds) {
    const std::string id = std::string(og::prefix(k)) + "_0123456789012345";
    INFO(id);
    CHECK(og::is_valid_id(k, id));
    CHECK(og::id_kind_of(id) == k);
    for (IdKind other : og::kAllIdKinds) {
      if (other != k) CHECK_FALSE(og::is_valid_id(other, id));
    }
  }
  CHECK(og::id_kind_of("txid_4826413786035628") == IdKind::Txid);
  CHECK(og::id_kind_of("fsid_0000000000000000") == IdKind::Fsid);
  CHECK(og::id_kind_of("upid_9999999999999999") == IdKind::Upid);
  CHECK_FALSE(og::id_kind_of("abcd_4826413786035628"));
  CHECK_FALSE(og::id_kind_of(""));
}

TEST_CASE("ids: malformed ids are refused", "[ids]") {
  const std::string good = "waid_4826413786035628";
  REQUIRE(good.size() == og::kIdLength);
  REQUIRE(og::is_valid_id(IdKind::Waid, good));

  const std::vector<std::string> bad = {
      "",
      "waid_482641378603562",    // 20 characters
      "waid_48264137860356281",  // 22 characters
      "waid_",
      "waid",
      "wxid_4826413786035628",  // unknown prefix
      "txid_4826413786035628",  // another kind's prefix
      "WAID_4826413786035628",  // uppercase prefix
      "Waid_4826413786035628",
      "waid_48264137860356a8",  // letter among the digits
      "waid_482641378603562F",
      "waid_4826413786035 28",  // space
      "waid_+826413786035628",  // sign
      "waid_-826413786035628",
      "waid48264137860356281",  // missing '_' (still 21 characters)
      "waid-4826413786035628",  // '-' instead of '_'
      "waid 4826413786035628",
      " waid_482641378603562",
      "waid_482641378603562 ",
      "waid_48264137860356\xd9\xa1",     // ARABIC-INDIC DIGIT ONE, 21 bytes in all
      "waid_4826413786035\xef\xbc\x91",  // FULLWIDTH DIGIT ONE, 21 bytes in all
      std::string("waid_48264137860356\0"
                  "8",
                  21),  // embedded NUL
      "_waid4826413786035628",
  };
  for (const std::string& s : bad) {
    INFO("\"" << s << "\" (" << s.size() << " bytes)");
    CHECK_FALSE(og::is_valid_id(IdKind::Waid, s));
    CHECK_FALSE(og::id_kind_of(s) == IdKind::Waid);
  }
  // The two unicode cases really are 21 bytes, so only the digit check can catch them.
  CHECK(bad[19].size() == og::kIdLength);
  CHECK(bad[20].size() == og::kIdLength);
}

TEST_CASE("ids: the rejection step keeps numbers below 10^16 unbiased", "[ids]") {
  using og::ids_detail::id_number_from_draw;
  constexpr std::uint64_t kSpace = 10'000'000'000'000'000ULL;
  // floor(2^64 / 10^16) = 1844 whole copies of [0, 10^16) fit below 2^64.
  constexpr std::uint64_t kRejectFrom = 1844 * kSpace;
  CHECK(id_number_from_draw(0) == std::uint64_t{0});
  CHECK(id_number_from_draw(kSpace - 1) == kSpace - 1);
  CHECK(id_number_from_draw(kSpace) == std::uint64_t{0});
  CHECK(id_number_from_draw(kRejectFrom - 1) == kSpace - 1);
  CHECK_FALSE(id_number_from_draw(kRejectFrom));
  CHECK_FALSE(id_number_from_draw(kRejectFrom + 12345));
  CHECK_FALSE(id_number_from_draw(~std::uint64_t{0}));
  // Every number has exactly 1844 accepted draws: 12345 + k * 10^16 for k < 1844.
  int preimages = 0;
  for (std::uint64_t k = 0; k <= 1844; ++k) {
    const auto n = id_number_from_draw(12345 + k * kSpace);
    if (n) {
      CHECK(*n == 12345);
      ++preimages;
    }
  }
  CHECK(preimages == 1844);
}

TEST_CASE("ids: generated ids are valid, distinct and uniform in every digit", "[ids]") {
  constexpr int kCount = 10'000;
  constexpr std::size_t kDigits = 16;
  std::set<std::string> seen;
  std::array<std::array<int, 10>, kDigits> counts{};
  for (int i = 0; i < kCount; ++i) {
    const IdKind k = og::kAllIdKinds[static_cast<std::size_t>(i) % og::kAllIdKinds.size()];
    const std::string id = og::new_id(k);
    INFO(id);
    REQUIRE(id.size() == og::kIdLength);
    REQUIRE(id.substr(0, 4) == og::prefix(k));
    REQUIRE(id[4] == '_');
    REQUIRE(og::is_valid_id(k, id));
    REQUIRE(og::id_kind_of(id) == k);
    REQUIRE(seen.insert(id.substr(5)).second);  // the digits alone are distinct
    for (std::size_t pos = 0; pos < kDigits; ++pos) {
      const char c = id[5 + pos];
      REQUIRE((c >= '0' && c <= '9'));
      ++counts[pos][static_cast<std::size_t>(c - '0')];
    }
  }
  // Each position: every digit appears, and a loose chi-square test (9 degrees of freedom)
  // passes. 60 is far out in the tail (p < 1e-9), so a failure means real bias, such as a
  // zero-padding or digit-range bug, not bad luck.
  const double expected = kCount / 10.0;
  for (std::size_t pos = 0; pos < kDigits; ++pos) {
    double chi2 = 0;
    for (std::size_t d = 0; d < 10; ++d) {
      INFO("position " << pos << " digit " << d << " count " << counts[pos][d]);
      CHECK(counts[pos][d] > 0);
      const double diff = counts[pos][d] - expected;
      chi2 += diff * diff / expected;
    }
    INFO("position " << pos << " chi-square " << chi2);
    CHECK(chi2 < 60.0);
  }
}

TEST_CASE("identifier randomness: buffered, each byte handed out once, not shared with a forked child", "[ids]") {
  // Draws across the 512-byte refill boundary and larger than the buffer.
  std::vector<unsigned char> a(700), b(700);
  og::crypto::identifier_random(a.data(), a.size());
  og::crypto::identifier_random(b.data(), b.size());
  CHECK(a != b);
  std::set<std::string> hex;
  for (int i = 0; i < 1000; ++i) hex.insert(og::crypto::identifier_hex(8));
  CHECK(hex.size() == 1000);
  CHECK(hex.begin()->size() == 16);

  // The parent has bytes buffered now. A child made by fork() must not hand out the same
  // ones (two processes minting the same transaction ids).
  unsigned char warm[1];
  og::crypto::identifier_random(warm, sizeof warm);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    unsigned char child[32];
    og::crypto::identifier_random(child, sizeof child);
    ssize_t n = ::write(fds[1], child, sizeof child);
    ::_exit(n == static_cast<ssize_t>(sizeof child) ? 0 : 1);
  }
  ::close(fds[1]);
  unsigned char mine[32], theirs[32];
  og::crypto::identifier_random(mine, sizeof mine);
  std::size_t got = 0;
  while (got < sizeof theirs) {
    ssize_t n = ::read(fds[0], theirs + got, sizeof theirs - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(got == sizeof theirs);
  CHECK(std::memcmp(mine, theirs, sizeof mine) != 0);
}

TEST_CASE("format_id and id_number: an id from its number and back", "[ids]") {
  using og::IdKind;
  CHECK(og::format_id(IdKind::Txid, 0) == "txid_0000000000000000");
  CHECK(og::format_id(IdKind::Waid, 42) == "waid_0000000000000042");
  CHECK(og::format_id(IdKind::Txid, 9'999'999'999'999'999ULL) == "txid_9999999999999999");
  CHECK_THROWS_AS(og::format_id(IdKind::Txid, 10'000'000'000'000'000ULL), std::out_of_range);
  CHECK(og::id_number(IdKind::Txid, "txid_0000000000000042") == 42u);
  CHECK(og::id_number(IdKind::Txid, "txid_9999999999999999") == 9'999'999'999'999'999ULL);
  CHECK_FALSE(og::id_number(IdKind::Txid, "waid_0000000000000042"));  // another kind
  CHECK_FALSE(og::id_number(IdKind::Txid, "txid_00000000000042"));    // too short
  CHECK_FALSE(og::id_number(IdKind::Txid, "txid_00000000000000x2"));  // not digits
  const std::string fresh = og::new_id(IdKind::Prid);
  CHECK(og::format_id(IdKind::Prid, *og::id_number(IdKind::Prid, fresh)) == fresh);
}

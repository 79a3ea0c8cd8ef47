// Result codes table, crypto helpers, self-signed certificates (checked with openssl).
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/files.h"
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "common/result_codes.h"
#include "common/tls_cert.h"

TEST_CASE("result codes: unique numbers and tokens, the spec's reserved codes", "[resultcodes]") {
  std::set<int> codes;
  std::set<std::string_view> tokens;
  for (const auto& e : og::all_result_codes()) {
    CHECK(codes.insert(og::code(e.rc)).second);
    CHECK(tokens.insert(e.token).second);
    CHECK(og::code(e.rc) >= 10000);
    CHECK(e.http_status >= 200);
    CHECK_FALSE(e.message.empty());
    CHECK_FALSE(e.description.empty());
  }
  CHECK(og::info(og::Rc::Ok).message == "Ok");
  CHECK(og::info(og::Rc::Maintenance).token == "MAINTENANCE_IN_PROGRESS");
  CHECK(og::info(og::Rc::TooBusy).token == "TOO_BUSY");
  CHECK(og::info(og::Rc::SystemError).token == "SYSTEM_ERROR");
  CHECK(og::info(og::Rc::TooFast).token == "TOO_FAST");
  CHECK(og::result_message(og::Rc::MissingParameter, "amount") == "Missing parameter: amount");
  CHECK(og::find_result_code(12345) == nullptr);
}

TEST_CASE("docs/result-codes.md is generated from the table and up to date", "[resultcodes]") {
  std::ifstream in(std::string(OMNIGATE_SOURCE_DIR) + "/docs/result-codes.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == og::result_codes_markdown());
}

TEST_CASE("hex, base64url, sha256 against known vectors", "[crypto]") {
  using namespace og::crypto;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4648 test vectors, without padding.
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK(base64url_decode("Zm9vYmFy").value() == "foobar");
  CHECK(base64url_decode("-_8").value() == "\xfb\xff");
  CHECK_FALSE(base64url_decode("Zm9vY"));   // impossible length
  CHECK_FALSE(base64url_decode("Zm9+"));    // not url-safe alphabet
  CHECK_FALSE(base64url_decode("Zh"));      // non-canonical trailing bits
  CHECK(hex_decode("00ff10").value() == std::string("\x00\xff\x10", 3));
  CHECK_FALSE(hex_decode("0g"));
  CHECK_FALSE(hex_decode("abc"));
  CHECK(random_hex(16).size() == 32);
  CHECK(random_hex(16) != random_hex(16));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

namespace {
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}
}  // namespace

TEST_CASE("self-signed certificates verify with openssl and carry the names", "[tls]") {
  char tmpl[] = "/tmp/ogcert-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  std::string dir = tmpl;
  auto pair = og::tls::make_self_signed({});
  og::tls::write_pem_pair(pair, dir + "/cert.pem", dir + "/key.pem");
  struct stat st{};
  REQUIRE(::stat((dir + "/key.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::string text = run("openssl x509 -in " + dir + "/cert.pem -noout -text");
  CHECK_THAT(text, Catch::Contains("DNS:localhost"));
  CHECK_THAT(text, Catch::Contains("IP Address:127.0.0.1"));
  CHECK_THAT(text, Catch::Contains("IP Address:0:0:0:0:0:0:0:1"));
  CHECK_THAT(text, Catch::Contains("ecdsa-with-SHA256"));
  CHECK_THAT(text, Catch::Contains("TLS Web Server Authentication"));
  // The certificate is its own trust anchor.
  CHECK_THAT(run("openssl verify -CAfile " + dir + "/cert.pem " + dir + "/cert.pem"), Catch::Contains(": OK"));
  // Key and certificate match.
  CHECK(run("openssl pkey -in " + dir + "/key.pem -pubout") == run("openssl x509 -in " + dir + "/cert.pem -noout -pubkey"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("files::write_atomic: mode, replace, exclusive, no symlink followed, nothing left behind", "[files]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ogfiles" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path f = dir / "key.pem";
  og::files::write_atomic(f, "one", 0600);
  struct stat st{};
  REQUIRE(::stat(f.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  og::files::write_atomic(f, "two", 0640);
  std::ifstream in(f);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "two");
  REQUIRE(::stat(f.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  // Exclusive: an existing file is never replaced.
  CHECK_THROWS_WITH(og::files::write_atomic(f, "three", 0600, true), Catch::Contains("cannot create"));
  og::files::write_atomic(dir / "new.pem", "x", 0600, true);
  CHECK(fs::exists(dir / "new.pem"));
  // A symlink planted at the temporary name is not followed.
  fs::path victim = dir / "victim";
  { std::ofstream(victim) << "untouched"; }
  fs::create_symlink(victim, f.string() + ".tmp" + std::to_string(::getpid()));
  CHECK_THROWS(og::files::write_atomic(f, "evil", 0600));
  std::ifstream v(victim);
  std::string vt((std::istreambuf_iterator<char>(v)), std::istreambuf_iterator<char>());
  CHECK(vt == "untouched");
  fs::remove(f.string() + ".tmp" + std::to_string(::getpid()));
  // Only the files written remain (no temporaries).
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) { (void)e; ++n; }
  CHECK(n == 3);
  fs::remove_all(dir);
}

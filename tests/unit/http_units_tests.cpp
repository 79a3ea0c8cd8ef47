// Rate limiter, configuration parsing, endpoint parsing, log lines.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "daemon/bridges/registry.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/http/rate_limit.h"
#include "daemon/http/server.h"

using namespace std::chrono_literals;

TEST_CASE("token bucket: burst, refill, per key", "[ratelimit]") {
  og::http::RateLimiter rl(2.0, 3.0);
  auto t0 = og::http::RateLimiter::Clock::now();
  CHECK(rl.allow("a", t0));
  CHECK(rl.allow("a", t0));
  CHECK(rl.allow("a", t0));
  CHECK_FALSE(rl.allow("a", t0));
  CHECK(rl.allow("b", t0));  // another credential has its own bucket
  CHECK_FALSE(rl.allow("a", t0 + 400ms));
  CHECK(rl.allow("a", t0 + 500ms));  // 0.5 s at 2/s = one token
  CHECK_FALSE(rl.allow("a", t0 + 500ms));
  // Refill never exceeds the burst.
  auto later = t0 + 100s;
  CHECK(rl.allow("a", later));
  CHECK(rl.allow("a", later));
  CHECK(rl.allow("a", later));
  CHECK_FALSE(rl.allow("a", later));
  // A clock that goes backwards gives nothing for free.
  CHECK_FALSE(rl.allow("a", t0));
}

TEST_CASE("token bucket for outcomes: wait() looks without taking, take() spends after the fact", "[ratelimit]") {
  og::http::RateLimiter rl(0.5, 2.0);  // a token every 2 s
  auto t0 = og::http::RateLimiter::Clock::now();
  CHECK(rl.wait("x", t0) == 0s);  // an unknown key holds a full bucket
  CHECK(rl.buckets() == 0);       // and looking made none
  rl.take("x", t0);
  CHECK(rl.wait("x", t0) == 0s);
  rl.take("x", t0);
  CHECK(rl.wait("x", t0) == 2s);  // empty: one token in 2 s
  rl.take("x", t0);               // spending from an empty bucket does not go into debt
  CHECK(rl.wait("x", t0 + 1s) == 1s);
  CHECK(rl.wait("x", t0 + 2s) == 0s);
  CHECK(rl.wait("y", t0) == 0s);
}

TEST_CASE("configuration: [auth] failure limits", "[config]") {
  og::Config c = og::parse_config("", "empty.toml");
  CHECK(c.auth.failure_burst == 20);
  CHECK(c.auth.failures_per_second == 1);
  c = og::parse_config("[auth]\nfailure_burst = 0\nfailures_per_second = 0.25\n", "auth.toml");
  CHECK(c.auth.failure_burst == 0);
  CHECK(c.auth.failures_per_second == 0.25);
  CHECK_THROWS_WITH(og::parse_config("[auth]\nfailure_burst = -1\n", "a.toml"), Catch::Contains("auth.failure_burst"));
  CHECK_THROWS_WITH(og::parse_config("[auth]\nfailures_per_second = 0\n", "a.toml"),
                    Catch::Contains("auth.failures_per_second: must be positive"));
  CHECK_THROWS_WITH(og::parse_config("[auth]\nfailure_brust = 3\n", "a.toml"), Catch::Contains("unknown key"));
  CHECK(og::dev_config("/tmp/x", 8443).auth.failure_burst == 200);
}

TEST_CASE("configuration: [[bridge]] instances", "[config][bridges]") {
  CHECK(og::parse_config("", "empty.toml").bridges.empty());  // generic-1 is added by the registry
  og::Config c = og::parse_config(
      "[[bridge]]\nname = \"generic\"\n[[bridge]]\nname = \"generic\"\ninstance = 2\n"
      "description = \"Second adapter\"\nenabled = false\n",
      "b.toml");
  REQUIRE(c.bridges.size() == 2);
  CHECK(c.bridges[0].instance == 1);
  CHECK(c.bridges[0].enabled);
  CHECK(c.bridges[1].instance == 2);
  CHECK(c.bridges[1].description == "Second adapter");
  CHECK_FALSE(c.bridges[1].enabled);
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"bank\"\n", "b.toml"),
                    Catch::Contains("b.toml:2: bridge.name: the bank bridge is not built into this omnid yet"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"doge\"\n", "b.toml"),
                    Catch::Contains("bridge.name: no bridge named \"doge\""));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\ninstance = 1\n", "b.toml"), Catch::Contains("bridge.name: required"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"generic\"\ninstance = 100\n", "b.toml"),
                    Catch::Contains("bridge.instance: must be between 1 and 99"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"generic\"\n[[bridge]]\nname = \"generic\"\n", "b.toml"),
                    Catch::Contains("generic-1 is configured twice"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"generic\"\nurl = \"x\"\n", "b.toml"),
                    Catch::Contains("bridge.url: unknown key"));
  CHECK_THROWS_WITH(og::parse_config("[bridge]\nname = \"generic\"\n", "b.toml"),
                    Catch::Contains("bridge: must be tables ([[bridge]]"));
}

TEST_CASE("configuration: [[bridge]] of a network (ripple)", "[config][bridges][ripple]") {
  og::Config c = og::parse_config(
      "[[bridge]]\nname = \"ripple\"\nurl = \"http://127.0.0.1:5005/\"\ntimeout_seconds = 3\npoll_seconds = 2\n"
      "ledger_window = 10\nmax_fee_drops = 2000\nnetwork = \"test\"\n",
      "r.toml");
  REQUIRE(c.bridges.size() == 1);
  const auto& r = c.bridges[0];
  CHECK(r.type == "ripple");
  CHECK(r.url == "http://127.0.0.1:5005/");
  CHECK(r.timeout_seconds == 3);
  CHECK(r.poll_seconds == 2);
  CHECK(r.ledger_window == 10);
  CHECK(r.max_fee_drops == 2000);
  CHECK(r.network == "test");
  // Defaults.
  auto d = og::parse_config("[[bridge]]\nname = \"ripple\"\nurl = \"https://r.example/\"\n", "r.toml").bridges[0];
  CHECK(d.ledger_window == 20);
  CHECK(d.network == "main");
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"ripple\"\n", "r.toml"),
                    Catch::Contains("bridge.url: required"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"ripple\"\nurl = \"ftp://x/\"\n", "r.toml"),
                    Catch::Contains("bridge.url: must start with http:// or https://"));
  for (const char* bad : {"ledger_window = 2", "max_fee_drops = 5", "timeout_seconds = 301", "network = \"dev\""})
    CHECK_THROWS(og::parse_config(std::string("[[bridge]]\nname = \"ripple\"\nurl = \"http://x/\"\n") + bad + "\n",
                                  "r.toml"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"ripple\"\nurl = \"http://x/\"\nseed = \"s\"\n", "r.toml"),
                    Catch::Contains("bridge.seed: unknown key"));
}

TEST_CASE("configuration: [[bridge]] of bitcoind", "[config][bridges][bitcoin]") {
  og::Config c = og::parse_config(
      "[[bridge]]\nname = \"bitcoin\"\nurl = \"http://127.0.0.1:8332/\"\nwallet = \"exchange hot\"\n"
      "cookie_file = \"/var/lib/bitcoind/.cookie\"\nconfirmations = 6\nmax_fee_rate = 40\nfee_target_blocks = 3\n",
      "b.toml");
  REQUIRE(c.bridges.size() == 1);
  const auto& b = c.bridges[0];
  CHECK(b.type == "bitcoin");
  CHECK(b.wallet == "exchange hot");
  CHECK(b.cookie_file == "/var/lib/bitcoind/.cookie");
  CHECK(b.confirmations == 6);
  CHECK(b.max_fee_rate == 40);
  CHECK(b.fee_target_blocks == 3);
  auto d = og::parse_config("[[bridge]]\nname = \"bitcoin\"\nurl = \"http://x/\"\n", "b.toml").bridges[0];
  CHECK(d.confirmations == 3);
  CHECK(d.max_fee_rate == 100);
  CHECK(d.wallet.empty());
  CHECK(d.cookie_file.empty());
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"bitcoin\"\nurl = \"http://x/\"\nconfirmations = 0\n", "b.toml"),
                    Catch::Contains("bridge.confirmations: must be positive"));
  for (const char* bad : {"confirmations = 101", "max_fee_rate = 0", "max_fee_rate = 10001", "fee_target_blocks = 0",
                          "cookie_file = \"relative/.cookie\"", "wallet = \"a/b\"", "ledger_window = 10",
                          "rpcpassword = \"secret\""})
    CHECK_THROWS(og::parse_config(std::string("[[bridge]]\nname = \"bitcoin\"\nurl = \"http://x/\"\n") + bad + "\n",
                                  "b.toml"));
  // A password is never configuration: it is the bridge account's secret attribute.
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"bitcoin\"\nurl = \"http://x/\"\nrpcpassword = \"p\"\n", "b.toml"),
                    Catch::Contains("bridge.rpcpassword: unknown key"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"ripple\"\nurl = \"http://x/\"\nconfirmations = 3\n", "r.toml"),
                    Catch::Contains("bridge.confirmations: unknown key"));
}

TEST_CASE("configuration: [[bridge]] of Horizon (stellar)", "[config][bridges][stellar]") {
  og::Config c = og::parse_config(
      "[[bridge]]\nname = \"stellar\"\nurl = \"http://127.0.0.1:8000/\"\n"
      "network_passphrase = \"Test SDF Network ; September 2015\"\nmax_fee_stroops = 500\ntx_timeout_seconds = 120\n"
      "poll_seconds = 2\n",
      "s.toml");
  REQUIRE(c.bridges.size() == 1);
  const auto& s = c.bridges[0];
  CHECK(s.type == "stellar");
  CHECK(s.url == "http://127.0.0.1:8000/");
  CHECK(s.network_passphrase == "Test SDF Network ; September 2015");
  CHECK(s.max_fee_stroops == 500);
  CHECK(s.tx_timeout_seconds == 120);
  CHECK(s.poll_seconds == 2);
  auto d = og::parse_config("[[bridge]]\nname = \"stellar\"\nurl = \"http://x/\"\nnetwork_passphrase = \"p\"\n",
                            "s.toml")
               .bridges[0];
  CHECK(d.max_fee_stroops == 10000);
  CHECK(d.tx_timeout_seconds == 60);
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"stellar\"\nurl = \"http://x/\"\n", "s.toml"),
                    Catch::Contains("bridge.network_passphrase: required"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"stellar\"\nnetwork_passphrase = \"p\"\n", "s.toml"),
                    Catch::Contains("bridge.url: required: the Horizon server's URL"));
  for (const char* bad : {"max_fee_stroops = 99", "max_fee_stroops = 10000001", "tx_timeout_seconds = 9",
                          "tx_timeout_seconds = 3601", "network_passphrase = \"a\\nb\"", "seed = \"S...\"",
                          "ledger_window = 10", "confirmations = 3"})
    CHECK_THROWS(og::parse_config(
        std::string("[[bridge]]\nname = \"stellar\"\nurl = \"http://x/\"\nnetwork_passphrase = \"p\"\n") + bad + "\n",
        "s.toml"));
  // A seed is never configuration: it is the hot account's secret attribute.
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"stellar\"\nurl = \"http://x/\"\nnetwork_passphrase = "
                                     "\"p\"\nseed = \"S\"\n",
                                     "s.toml"),
                    Catch::Contains("bridge.seed: unknown key"));
  CHECK_THROWS_WITH(og::parse_config("[[bridge]]\nname = \"ripple\"\nurl = \"http://x/\"\nmax_fee_stroops = 100\n", "r.toml"),
                    Catch::Contains("bridge.max_fee_stroops: unknown key"));
}

TEST_CASE("bridges: every built type can be run, and only those", "[bridges]") {
  CHECK(og::bridges::built_types() == og::bridges::runnable_types());
  CHECK(og::bridges::type_state("ripple") == og::bridges::TypeState::Built);
  CHECK(og::bridges::type_state("stellar") == og::bridges::TypeState::Built);
  CHECK(og::bridges::type_state("bank") == og::bridges::TypeState::Planned);
}

TEST_CASE("configuration: an integer too large for its key is refused, never wrapped", "[config]") {
  // Found by fuzz_config: 4294967298 became 2 in an int.
  CHECK_THROWS_WITH(og::parse_config("[server]\nio_threads = 4294967298\n", "big.toml"),
                    Catch::Contains("server.io_threads: must be at most 2147483647"));
  CHECK(og::parse_config("[server]\nmax_body_bytes = 4294967298\n", "big.toml").server.max_body_bytes == 4294967298u);
  // Found by fuzz_config too: nan passed "must be positive" (and turned the rate limit off).
  for (const char* v : {"nan", "inf", "-inf"})
    CHECK_THROWS_WITH(og::parse_config(std::string("[rate_limit]\nrequests_per_second = ") + v + "\n", "nan.toml"),
                      Catch::Contains("rate_limit.requests_per_second: must be positive"));
  CHECK_THROWS_WITH(og::parse_config("[mail]\nsmtp_port = 70000\n", "port.toml"), Catch::Contains("mail.smtp_port: must be at most 65535"));
}

TEST_CASE("listen addresses", "[config]") {
  using og::http::parse_endpoint;
  CHECK(parse_endpoint("127.0.0.1:8443").port() == 8443);
  CHECK(parse_endpoint("[::1]:443").address().is_v6());
  CHECK(parse_endpoint(":8443").address().to_string() == "0.0.0.0");
  CHECK(parse_endpoint("localhost:1").address().to_string() == "127.0.0.1");
  CHECK_THROWS(parse_endpoint("127.0.0.1"));
  CHECK_THROWS(parse_endpoint("127.0.0.1:99999"));
  CHECK_THROWS(parse_endpoint("example.com:443"));
  CHECK_THROWS(parse_endpoint("1.2.3.4:8a"));
}

TEST_CASE("configuration: defaults, every key, and errors with file:line", "[config]") {
  og::Config c = og::parse_config("", "empty.toml");
  CHECK(c.server.listen == "0.0.0.0:8443");
  CHECK(c.database.mode == "local");
  CHECK(c.rate_limit.enabled);

  c = og::parse_config(R"(
[server]
listen = "127.0.0.1:9443"
http_listen = "127.0.0.1:9080"
io_threads = 4
worker_threads = 32
max_body_bytes = 65536
max_header_bytes = 8192
read_timeout_seconds = 5
idle_timeout_seconds = 7
write_timeout_seconds = 9
shutdown_grace_seconds = 3
max_connections = 100
[tls]
cert_file = "/c.pem"
key_file = "/k.pem"
[database]
mode = "remote"
url = "postgresql://omnigate@db/omnigate"
pool_size = 4
[database.local]
dir = "/srv/pg"
run_as = "omnigate"
bindir = "/usr/pgsql-15/bin"
[rate_limit]
enabled = false
requests_per_second = 2.5
burst = 10
[auth]
apikey_cache_seconds = 1
[ledger]
committers = 3
max_batch = 64
balance_cache = 0
batch_wait_us = 250
idempotency_retention_hours = 72
[log]
level = "debug"
requests = false
)",
                       "full.toml");
  CHECK(c.server.listen == "127.0.0.1:9443");
  CHECK(c.server.http_listen == "127.0.0.1:9080");
  CHECK(c.server.io_threads == 4);
  CHECK(c.server.worker_threads == 32);
  CHECK(c.server.max_body_bytes == 65536);
  CHECK(c.server.max_header_bytes == 8192);
  CHECK(c.server.read_timeout_seconds == 5);
  CHECK(c.server.idle_timeout_seconds == 7);
  CHECK(c.server.write_timeout_seconds == 9);
  CHECK(c.server.shutdown_grace_seconds == 3);
  CHECK(c.server.max_connections == 100);
  CHECK(c.tls.cert_file == "/c.pem");
  CHECK(c.tls.key_file == "/k.pem");
  CHECK(c.database.mode == "remote");
  CHECK(c.database.url == "postgresql://omnigate@db/omnigate");
  CHECK(c.database.pool_size == 4);
  CHECK(c.database.local_dir == "/srv/pg");
  CHECK(c.database.local_run_as == "omnigate");
  CHECK(c.database.local_bindir == "/usr/pgsql-15/bin");
  CHECK_FALSE(c.rate_limit.enabled);
  CHECK(c.rate_limit.requests_per_second == 2.5);
  CHECK(c.rate_limit.burst == 10);
  CHECK(c.auth.apikey_cache_seconds == 1);
  CHECK(c.ledger.committers == 3);
  CHECK(c.ledger.max_batch == 64);
  CHECK(c.ledger.balance_cache == 0);
  CHECK(c.ledger.batch_wait_us == 250);
  CHECK(c.ledger.idempotency_retention_hours == 72);
  CHECK(c.log.level == "debug");
  CHECK_FALSE(c.log.requests);

  auto error_of = [](const std::string& text) {
    try {
      og::parse_config(text, "x.toml");
    } catch (const og::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("[server]\nlisten = 5\n") == "x.toml:2: server.listen: must be a string");
  CHECK(error_of("[sever]\n") == "x.toml:1: sever: unknown section (see omnid.toml(5))");
  CHECK(error_of("[server]\n\nlisten = \"a\"\n").find("server.listen") != std::string::npos);
  CHECK(error_of("[log]\nlevel = \"loud\"\n").find("log.level") != std::string::npos);
  CHECK(error_of("[database]\nmode = \"cloud\"\n").find("database.mode") != std::string::npos);
  CHECK(error_of("[rate_limit]\nburst = 0\n").find("rate_limit.burst: must be positive") != std::string::npos);
  CHECK(error_of("[server]\nhttp_listen = \"10.0.0.1:80\"\n").find("loopback") != std::string::npos);
  CHECK(error_of("[server]\nlisten = \"\"\n").find("no listener") != std::string::npos);
  CHECK(error_of("[ledger]\nidempotency_retention_hours = 12\n").find("at least 24") != std::string::npos);
  CHECK(error_of("[ledger]\nbalance_cache = -1\n").find("ledger.balance_cache: must be 0 or positive") != std::string::npos);
  CHECK(error_of("[ledger]\nbalance_cache = 10000001\n").find("at most 10000000") != std::string::npos);
  CHECK(error_of("[ledger]\nbatch_wait_us = -1\n").find("ledger.batch_wait_us: must be 0 or positive") != std::string::npos);
  CHECK(error_of("[ledger]\nbatch_wait_us = 100001\n").find("ledger.batch_wait_us: must be at most 100000") != std::string::npos);
  CHECK(error_of("[ledger]\nmax_batch = 0\n").find("ledger.max_batch: must be positive") != std::string::npos);
  // 0 is documented as "never" / "off" for these.
  CHECK(og::parse_config("[omnipass]\nsigning_key_rotation_seconds = 0\n", "x.toml").omnipass.signing_key_rotation_seconds == 0);
  CHECK(og::parse_config("[ledger]\nbalance_cache = 0\n", "x.toml").ledger.balance_cache == 0);
  CHECK(og::parse_config("", "x.toml").ledger.balance_cache == 100000);
  CHECK(og::parse_config("[ledger]\nbatch_wait_us = 0\n", "x.toml").ledger.batch_wait_us == 0);
  CHECK(og::parse_config("", "x.toml").ledger.batch_wait_us == 500);
}

TEST_CASE("dev configuration", "[config]") {
  auto c = og::dev_config("/tmp/x", 0);
  CHECK(c.dev);
  CHECK(c.server.listen == "127.0.0.1:0");
  CHECK(c.server.http_listen.empty());
  CHECK(c.database.local_dir == "/tmp/x/postgres");
  CHECK(c.tls.cert_file == "/tmp/x/tls/cert.pem");
}

namespace {
// What f writes to the log (stderr), read back from a temporary file.
std::string logged_by(const std::function<void()>& f) {
  og::log::flush();
  char path[] = "/tmp/og-log-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  int saved = ::dup(2);
  ::dup2(fd, 2);
  f();
  og::log::flush();
  ::dup2(saved, 2);
  ::close(saved);
  std::string out;
  char buf[4096];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  ::unlink(path);
  return out;
}
}  // namespace

TEST_CASE("log timestamps are ISO 8601 UTC with milliseconds, and the current time", "[log]") {
  // Formatted once a second per thread: consecutive calls across a second boundary must
  // still give the new second.
  for (int i = 0; i < 3; ++i) {
    // The precise clock: std::time() may read the kernel's coarse clock, which lags by a few
    // milliseconds (a timestamp at .001 s then looked "later" than `after`).
    auto now = [] { return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()); };
    const std::time_t before = now();
    const std::string ts = og::log::timestamp_now();
    const std::time_t after = now();
    INFO(ts);
    REQUIRE(std::regex_match(ts, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
    std::tm tm{};
    REQUIRE(strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
    const std::time_t at = timegm(&tm);
    CHECK(at >= before);
    CHECK(at <= after);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  }
}

TEST_CASE("log lines built field by field are the JSON objects log::write makes", "[log]") {
  og::log::set_level(og::log::Level::Info);
  const std::string awkward = "quote \" backslash \\ tab \t newline \n bell \x07 invalid \xff\xfe end";
  std::string text = logged_by([&] {
    og::log::Line line(og::log::Level::Info, "request");
    line.str("plain", "GET").str("awkward", awkward).num("n", -42).num("big", 1234567890123LL);
    line.write();
    line.write();  // a second write() writes nothing
    og::log::write(og::log::Level::Info, "request",
                   og::Json{{"plain", "GET"}, {"awkward", awkward}, {"n", -42}, {"big", 1234567890123LL}});
    og::log::Line ms(og::log::Level::Warn, "times");
    ms.millis("zero", 0).millis("small", 5).millis("big", 1234567).millis("negative", -1500);
    ms.write();
    og::log::Line filtered(og::log::Level::Debug, "not shown");
    filtered.str("x", "y");
    filtered.write();
  });
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 3);

  og::Json built = og::Json::parse(lines[0]), written = og::Json::parse(lines[1]);
  CHECK(lines[0].rfind("{\"ts\":\"", 0) == 0);  // ts, level, msg first, as write() orders them
  CHECK(built["ts"].get<std::string>().size() == std::string("2026-11-21T10:15:30.123Z").size());
  built.erase("ts");
  written.erase("ts");
  CHECK(built == written);
  CHECK(built["awkward"].get<std::string>().find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  CHECK(built["level"] == "info");
  CHECK(built.dump() == written.dump());  // same keys in the same order

  og::Json times = og::Json::parse(lines[2]);
  CHECK(times["level"] == "warn");
  CHECK(lines[2].find("\"zero\":0.000,\"small\":0.005,\"big\":1234.567,\"negative\":-1.500}") != std::string::npos);
  CHECK(times["big"].get<double>() == Approx(1234.567));
}

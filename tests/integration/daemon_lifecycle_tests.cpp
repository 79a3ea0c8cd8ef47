// omnid as a service: started from a configuration file, rate limiting, plain HTTP on
// loopback, read timeouts, READY=1 to systemd, graceful shutdown, two nodes migrating one
// database together, configuration errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "daemon/store/migrations.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
using og::test::OmnidOptions;
using namespace std::chrono_literals;

namespace {

int connect_tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

int port_of(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }

Json ready_line(const Omnid& o) {
  for (const auto& line : o.log_lines())
    if (line.value("msg", "") == "omnid ready") return line;
  return Json();
}

}  // namespace

TEST_CASE("configuration-file mode: rate limit per credential, plain HTTP on loopback, timeouts", "[daemon]") {
  OmnidOptions opt;
  opt.dev = false;
  opt.config = {{"rate_limit.requests_per_second", "0.2"},
                {"rate_limit.burst", "3"},
                {"server.http_listen", "\"127.0.0.1:0\""},
                {"server.read_timeout_seconds", "2"},
                {"server.idle_timeout_seconds", "2"}};
  Omnid omnid(opt);
  std::string key_a = omnid.create_api_key({"system-admin"});
  std::string key_b = omnid.create_api_key({"system-admin"});

  SECTION("the fourth quick call of one credential is TOO_FAST; others are not affected") {
    for (int i = 0; i < 3; ++i) REQUIRE(omnid.call("GET", "/api/v1/static/rolelist", "", key_a).resultcode() == 10000);
    Answer fast = omnid.call("GET", "/api/v1/static/rolelist", "", key_a);
    CHECK(fast.resultcode() == 10004);
    CHECK(fast.status == 429);
    CHECK(omnid.call("GET", "/api/v1/static/rolelist", "", key_b).resultcode() == 10000);
    // Endpoints the spec marks "Rate Limited: No" are not limited.
    CHECK(omnid.call("GET", "/api/v1/system/tiers", "", key_a).resultcode() == 10130);
  }

  SECTION("plain HTTP is served on the loopback listener") {
    std::string http = ready_line(omnid)["listening"]["http"].get<std::string>();
    auto r = og::test::run_process({"/usr/bin/curl", "-s", "http://" + http + "/api/v1/system/health"});
    REQUIRE(r.exit_code == 0);
    CHECK(Json::parse(r.out)["resultcode"] == 10000);
  }

  SECTION("a connection that sends nothing is closed after the read timeout") {
    std::string http = ready_line(omnid)["listening"]["http"].get<std::string>();
    int fd = connect_tcp(port_of(http));
    auto start = std::chrono::steady_clock::now();
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    char buf[16];
    CHECK(::recv(fd, buf, sizeof buf, 0) <= 0);
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= 1500ms);
    CHECK(waited < 8s);
    ::close(fd);
  }

  SECTION("a half-sent request is closed after the read timeout too") {
    std::string http = ready_line(omnid)["listening"]["http"].get<std::string>();
    int fd = connect_tcp(port_of(http));
    std::string partial = "GET /api/v1/system/health HTTP/1.1\r\nHost: x\r\n";
    REQUIRE(::send(fd, partial.data(), partial.size(), 0) == static_cast<ssize_t>(partial.size()));
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    char buf[16];
    CHECK(::recv(fd, buf, sizeof buf, 0) <= 0);
    ::close(fd);
  }

  SECTION("garbage instead of HTTP gets a JSON 400 and the connection is closed") {
    std::string http = ready_line(omnid)["listening"]["http"].get<std::string>();
    int fd = connect_tcp(port_of(http));
    std::string junk = "HELLO THERE\r\n\r\n";
    ::send(fd, junk.data(), junk.size(), 0);
    std::string answer;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 400"));
    CHECK_THAT(answer, Catch::Contains("\"resultcode\":10106"));
  }
}

TEST_CASE("READY=1 reaches systemd's notify socket, and SIGTERM stops everything", "[daemon]") {
  og::test::TempDir tmp("ognotify");
  std::string path = (tmp.path() / "notify.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

  OmnidOptions opt;
  opt.env = {{"NOTIFY_SOCKET", path}};
  Omnid omnid(opt);
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10000) == 1);
  char buf[256] = {0};
  ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
  REQUIRE(n > 0);
  CHECK_THAT(std::string(buf), Catch::StartsWith("READY=1"));

  // The dev banner printed the key once; omnictl.env holds it for scripts.
  CHECK_THAT(omnid.out(), Catch::Contains(omnid.apikey()));
  REQUIRE(omnid.call("GET", "/api/v1/system/health").resultcode() == 10000);

  pid_t postmaster = 0;
  {
    std::ifstream pidfile(omnid.data_dir() / "postgres" / "data" / "postmaster.pid");
    pidfile >> postmaster;
  }
  REQUIRE(postmaster > 0);
  REQUIRE(::kill(postmaster, 0) == 0);

  auto start = std::chrono::steady_clock::now();
  CHECK(omnid.stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - start < 20s);
  // STOPPING=1 was sent, and postgres is gone.
  n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
  REQUIRE(n > 0);
  buf[n] = 0;
  CHECK_THAT(std::string(buf), Catch::Contains("STOPPING=1"));
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(postmaster, 0) != 0;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(gone);
  CHECK_THAT(omnid.log(), Catch::Contains("local PostgreSQL cluster stopped"));
  ::close(fd);
}

TEST_CASE("SIGINT stops omnid --dev and removes its temporary data directory", "[daemon]") {
  OmnidOptions opt;
  opt.dev_data_dir = false;
  Omnid omnid(opt);
  auto data = omnid.data_dir();
  REQUIRE_THAT(data.string(), Catch::StartsWith("/tmp/omnid-dev-"));
  REQUIRE(std::filesystem::exists(data / "omnictl.env"));
  CHECK(omnid.call("GET", "/api/v1/static/rolelist").resultcode() == 10000);
  CHECK(omnid.stop(SIGINT) == 0);
  CHECK_THAT(omnid.log(), Catch::Contains("\"signal\":\"SIGINT\""));
  CHECK_FALSE(std::filesystem::exists(data));
}

TEST_CASE("two nodes starting together on one database both migrate it safely", "[daemon][migrations]") {
  std::string db = og::test::fresh_database("twonodes");
  // Both processes start at once and race to migrate the same empty database. (Spawned
  // from this thread: a test's children die with the thread that started them.)
  OmnidOptions o;
  o.dev = false;
  o.database_url = db;
  o.wait_ready = false;
  auto a = std::make_unique<Omnid>(o);
  auto b = std::make_unique<Omnid>(o);
  a->wait_ready();
  b->wait_ready();
  CHECK(a->call("GET", "/api/v1/system/health", "", std::string()).resultcode() == 10000);
  CHECK(b->call("GET", "/api/v1/system/health", "", std::string()).resultcode() == 10000);
  pqxx::connection conn(db);
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version");
  REQUIRE(rows.size() == og::store::embedded_migrations().size());
  for (const auto& r : rows) CHECK(r[1].as<int>() == 1);
  // A key made through one node authenticates on the other (no node-local state).
  std::string key = a->create_api_key({"system-admin"});
  CHECK(b->call("GET", "/api/v1/static/rolelist", "", key).resultcode() == 10000);
}

TEST_CASE("configuration errors name the file, line and key, and omnid exits 2", "[daemon][config]") {
  og::test::TempDir tmp("ogcfg");
  auto write = [&](const std::string& text) {
    std::ofstream(tmp.path() / "omnid.toml") << text;
    return (tmp.path() / "omnid.toml").string();
  };
  auto run = [&](const std::string& file) {
    return og::test::run_process({OMNID_PATH, "--config", file, "--check-config"});
  };
  auto r = run(write("[server]\nlisten = \"127.0.0.1:8443\"\nlistne = \"x\"\n"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("omnid.toml:3: server.listne: unknown key"));
  r = run(write("[server]\nhttp_listen = \"0.0.0.0:8080\"\n"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("loopback"));
  r = run(write("[database]\nmode = \"remote\"\n"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("database.url"));
  r = run(write("[server\n"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("omnid.toml:1"));
  r = run(write("[server]\nio_threads = -1\n"));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("server.io_threads: must be positive"));
  r = run(write("[server]\nlisten = \"127.0.0.1:8443\"\n[log]\nlevel = \"debug\"\n"));
  CHECK(r.exit_code == 0);
  // --port and --data-dir belong to --dev.
  CHECK(og::test::run_process({OMNID_PATH, "--port", "1234"}).exit_code == 2);
}

// omnictl: global options, configuration precedence, the token cache, catalog command
// parsing and client-side validation, table rendering, --field, --curl and masking, retry rules.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli/catalog_commands.h"
#include "cli/config.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/request.h"
#include "common/crypto.h"
#include "common/result_codes.h"

using namespace og;
using namespace og::cli;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "omnictl-unit-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

SecretIo io_with(std::string stdin_text = "", std::optional<std::string> typed = std::nullopt) {
  SecretIo io;
  io.read_stdin = [stdin_text] { return stdin_text; };
  io.read_file = [](const std::string& p) -> std::string {
    if (p == "/secret.txt") return "FileSecret#1";
    throw std::runtime_error("cannot read " + p);
  };
  io.prompt = [typed](const std::string&) { return typed; };
  io.read_data = [](const std::string& arg) -> std::string {
    if (arg == "@body.json") return R"({"amount":"1.00","description":"from file"})";
    return arg;
  };
  return io;
}

Invocation parse(std::vector<std::string> args, const SecretIo& io = io_with()) {
  return parse_catalog_command(args, io);
}

std::string fake_jwt(long long exp) {
  return crypto::base64url_encode(R"({"alg":"RS256"})") + "." +
         crypto::base64url_encode("{\"exp\":" + std::to_string(exp) + "}") + ".sig";
}

const std::string kWaid1 = "waid_1000000000000001";
const std::string kWaid2 = "waid_1000000000000002";

}  // namespace

TEST_CASE("global options are taken from anywhere on the line", "[cli][options]") {
  GlobalOptions g;
  std::vector<std::string> args{"wallet", "-o", "json", "get", "--url=https://h:1", "--field", "a.b",
                                "--retries", "0", "--retry-delay", "0.5", "--curl", "--timeout", "15"};
  REQUIRE_FALSE(take_global_options(args, g));
  CHECK(args == std::vector<std::string>{"wallet", "get"});
  CHECK(g.output == OutputFormat::Json);
  CHECK(g.output_given);
  CHECK(*g.url == "https://h:1");
  CHECK(*g.field == "a.b");
  CHECK(*g.retries == 0);
  CHECK(*g.retry_delay_s == 0.5);
  CHECK(*g.timeout_s == 15);
  CHECK(g.curl);

  GlobalOptions h;
  std::vector<std::string> compact{"-ojson", "status"};
  REQUIRE_FALSE(take_global_options(compact, h));
  CHECK(h.output == OutputFormat::Json);

  for (std::vector<std::string> bad : {std::vector<std::string>{"-o", "yaml"}, {"--timeout", "0"}, {"--retries", "x"},
                                       {"--url"}, {"--curl=yes"}, {"--retry-delay", "-1"}}) {
    GlobalOptions b;
    CHECK(take_global_options(bad, b));
  }
  // After "--" nothing is taken.
  GlobalOptions d;
  std::vector<std::string> dashdash{"api", "--", "--url"};
  REQUIRE_FALSE(take_global_options(dashdash, d));
  CHECK(dashdash.size() == 3);
  CHECK_FALSE(d.url);
}

TEST_CASE("connection: flags beat the environment, the environment beats the file", "[cli][config]") {
  TempDir t;
  write(t.path / "cfg" / "omnictl" / "config.toml",
        "current-context = \"prod\"\n"
        "[contexts.prod]\nurl = \"https://prod:8443\"\napikey = \"PRODKEY\"\ncacert = \"/prod.pem\"\n"
        "[contexts.lab]\nurl = \"https://lab:8443\"\n");
  std::map<std::string, std::string> vars{{"XDG_CONFIG_HOME", (t.path / "cfg").string()},
                                          {"XDG_CACHE_HOME", (t.path / "cache").string()}};
  GlobalOptions none;
  auto r = resolve_connection(none, env_of(vars), 1000);
  CHECK(r.context == "prod");
  CHECK(r.conn.url == "https://prod:8443");
  CHECK(r.conn.apikey == "PRODKEY");
  CHECK(r.conn.cacert == "/prod.pem");
  CHECK(r.url_source == "context");

  auto env = vars;
  env["OMNICTL_URL"] = "https://env:1";
  env["OMNICTL_APIKEY"] = "ENVKEY";
  env["OMNICTL_CACERT"] = "/env.pem";
  r = resolve_connection(none, env_of(env), 1000);
  CHECK(r.conn.url == "https://env:1");
  CHECK(r.conn.apikey == "ENVKEY");
  CHECK(r.conn.cacert == "/env.pem");
  CHECK(r.url_source == "env");

  GlobalOptions flags;
  flags.url = "https://flag:2";
  flags.cacert = "/flag.pem";
  r = resolve_connection(flags, env_of(env), 1000);
  CHECK(r.conn.url == "https://flag:2");
  CHECK(r.conn.cacert == "/flag.pem");
  CHECK(r.url_source == "flag");

  // OMNICTL_TOKEN beats the file's API key (one credential, first level wins).
  auto tok = vars;
  tok["OMNICTL_TOKEN"] = "ENVTOKEN";
  r = resolve_connection(none, env_of(tok), 1000);
  CHECK(r.conn.apikey.empty());
  CHECK(r.conn.token == "ENVTOKEN");

  // Context choice: --context beats OMNICTL_CONTEXT beats current-context.
  auto ctx = vars;
  ctx["OMNICTL_CONTEXT"] = "lab";
  r = resolve_connection(none, env_of(ctx), 1000);
  CHECK(r.context == "lab");
  CHECK(r.conn.url == "https://lab:8443");
  CHECK(r.conn.apikey.empty());
  GlobalOptions named;
  named.context = "prod";
  r = resolve_connection(named, env_of(ctx), 1000);
  CHECK(r.context == "prod");

  GlobalOptions unknown;
  unknown.context = "nope";
  CHECK_THROWS_WITH(resolve_connection(unknown, env_of(vars), 1000), Catch::Contains("no context \"nope\""));
  GlobalOptions missing_file;
  missing_file.config = (t.path / "absent.toml").string();
  CHECK_THROWS_WITH(resolve_connection(missing_file, env_of(vars), 1000), Catch::Contains("does not exist"));
}

TEST_CASE("a bad configuration file is refused with its line", "[cli][config]") {
  TempDir t;
  write(t.path / "bad.toml", "current-context = \"x\"\n[contexts.x]\nurl = 5\n");
  CHECK_THROWS_WITH(load_config(t.path / "bad.toml"), Catch::Contains("contexts.x.url must be a string"));
  write(t.path / "bad2.toml", "[contexts.x]\npassword = \"p\"\n");
  CHECK_THROWS_WITH(load_config(t.path / "bad2.toml"), Catch::Contains("unknown key password"));
  write(t.path / "bad3.toml", "this is not toml\n");
  CHECK_THROWS_WITH(load_config(t.path / "bad3.toml"), Catch::Contains("bad3.toml:1"));
}

TEST_CASE("the configuration is saved 0600 and read back", "[cli][config]") {
  TempDir t;
  ConfigFile c;
  c.path = t.path / "omnictl" / "config.toml";
  c.current_context = "a";
  c.contexts["a"] = Context{"https://a:1", "KEY", "", "/ca.pem"};
  c.contexts["b"] = Context{"https://b:2", "", "TOK", ""};
  save_config(c);
  struct stat st{};
  REQUIRE(::stat(c.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  ConfigFile back = load_config(c.path);
  CHECK(back.current_context == "a");
  CHECK(back.contexts["a"].apikey == "KEY");
  CHECK(back.contexts["a"].cacert == "/ca.pem");
  CHECK(back.contexts["b"].token == "TOK");
}

TEST_CASE("the login token cache: 0600, per context, expiry, not sent to another server", "[cli][config]") {
  TempDir t;
  std::map<std::string, std::string> vars{{"XDG_CONFIG_HOME", (t.path / "cfg").string()},
                                          {"XDG_CACHE_HOME", (t.path / "cache").string()},
                                          {"OMNICTL_URL", "https://h:1"}};
  auto dir = token_cache_dir(env_of(vars));
  std::string jwt = fake_jwt(2000);
  CHECK(jwt_expiry(jwt) == 2000);
  CHECK(jwt_expiry("not.a-jwt") == 0);
  save_cached_token(dir, kDefaultContext, CachedToken{"https://h:1", jwt, "a@b.c", 2000});
  struct stat st{};
  REQUIRE(::stat((dir / "default.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  GlobalOptions none;
  auto r = resolve_connection(none, env_of(vars), 1000);
  CHECK(r.conn.token == jwt);
  CHECK(r.auth_source == "login token");
  r = resolve_connection(none, env_of(vars), 3000);
  CHECK(r.conn.token.empty());
  CHECK(r.token_expired);
  auto other = vars;
  other["OMNICTL_URL"] = "https://elsewhere:1";
  r = resolve_connection(none, env_of(other), 1000);
  CHECK(r.conn.token.empty());
  CHECK_FALSE(r.token_expired);
  CHECK(remove_cached_token(dir, kDefaultContext));
  CHECK_FALSE(load_cached_token(dir, kDefaultContext));
  CHECK_FALSE(load_cached_token(dir, "../escape"));
}

TEST_CASE("catalog commands: flags named as the API parameters make the body", "[cli][catalog]") {
  auto inv = parse({"wallet", "transfer", "--amount", "278.53", "--currency", "CAD", "--sourcewaid", kWaid1,
                    "--destinationwaid=" + kWaid2, "--description", "rent"});
  REQUIRE(inv.endpoint);
  CHECK(inv.endpoint->key() == "POST /api/v1/wallet/transfer");
  CHECK(inv.request.method == "POST");
  CHECK(inv.request.path == "/api/v1/wallet/transfer");
  Json body = Json::parse(inv.request.body);
  CHECK(body["amount"] == "278.53");
  CHECK(body["currency"] == "CAD");
  CHECK(body["destinationwaid"] == kWaid2);
  // Financial: an Idempotency-Key always, random unless given.
  CHECK(inv.request.idempotency_key.starts_with("omnictl-"));
  CHECK(inv.request.idempotency_key.size() == 8 + 32);
  auto again = parse({"wallet", "transfer", "--amount", "1", "--currency", "CAD", "--sourcewaid", kWaid1,
                      "--destinationwaid", kWaid2});
  CHECK(again.request.idempotency_key != inv.request.idempotency_key);
  auto keyed = parse({"wallet", "transfer", "--amount", "1", "--currency", "CAD", "--sourcewaid", kWaid1,
                      "--destinationwaid", kWaid2, "--idempotency-key", "K-1"});
  CHECK(keyed.request.idempotency_key == "K-1");
  CHECK_THROWS_WITH(parse({"wallet", "list", "--idempotency-key", "K"}), Catch::Contains("financial"));
  CHECK(parse({"wallet", "list"}).request.idempotency_key.empty());
}

TEST_CASE("catalog commands: client-side validation sends nothing", "[cli][catalog]") {
  // Amount with a sign, a missing required parameter, a bad wallet ID, an unknown flag.
  CHECK_THROWS_WITH(parse({"wallet", "transfer", "--amount", "-5", "--currency", "CAD", "--sourcewaid", kWaid1,
                           "--destinationwaid", kWaid2}),
                    Catch::Contains("amount"));
  CHECK_THROWS_WITH(parse({"wallet", "transfer", "--amount", "5", "--sourcewaid", kWaid1, "--destinationwaid", kWaid2}),
                    Catch::Contains("currency") && Catch::Contains("nothing sent"));
  CHECK_THROWS_WITH(parse({"wallet", "transfer", "--amount", "5", "--currency", "CAD", "--sourcewaid", "waid_1",
                           "--destinationwaid", kWaid2}),
                    Catch::Contains("sourcewaid"));
  CHECK_THROWS_WITH(parse({"wallet", "transfer", "--amont", "5"}), Catch::Contains("unknown flag --amont"));
  CHECK_THROWS_WITH(parse({"wallet", "withdraw", "--amount", "5", "--currency", "CAD", "--method", "cash",
                           "--destinationaddress", "x"}),
                    Catch::Contains("method"));
  CHECK_THROWS_WITH(parse({"wallet", "create", "--walletname", "w", "--trading=maybe"}),
                    Catch::Contains("--trading must be true or false"));
  CHECK_THROWS_WITH(parse({"wallet", "create", "--walletname", "w", "--trading", "maybe"}),
                    Catch::Contains("unexpected argument \"maybe\""));
  CHECK_THROWS_WITH(parse({"wallet", "frobnicate"}), Catch::Contains("unknown command \"frobnicate\""));
  CHECK_THROWS_WITH(parse({"wallet"}), Catch::Contains("needs an action"));
  CHECK_THROWS_WITH(parse({"wallet", "transaction"}), Catch::Contains("wrong arguments"));
  CHECK_THROWS_WITH(parse({"wallet", "get", kWaid1, kWaid2}), Catch::Contains("unexpected argument"));
  CHECK_THROWS_WITH(parse({"wallet", "create", "--walletname", "a", "--walletname", "b"}), Catch::Contains("twice"));
}

TEST_CASE("catalog commands: path parameters are positionals and choose the variant", "[cli][catalog]") {
  CHECK(parse({"wallet", "get"}).endpoint->path == "/api/v1/wallet");
  auto one = parse({"wallet", "get", kWaid1});
  CHECK(one.endpoint->path == "/api/v1/wallet/{waid}");
  CHECK(one.request.path == "/api/v1/wallet/" + kWaid1);
  CHECK(one.request.body.empty());
  CHECK(parse({"wallet", "get", "--waid", kWaid1}).request.path == "/api/v1/wallet/" + kWaid1);
  // Same number of positionals: the format decides (a uuid or an akid).
  CHECK(parse({"notifications", "transports", "get", "upid_1000000000000001", "akid_1000000000000001"})
            .endpoint->path == "/api/v1/notifications/transports/{upid}/{akid}");
  CHECK(parse({"notifications", "transports", "get", "upid_1000000000000001", "uuid_1000000000000001"})
            .endpoint->path == "/api/v1/notifications/transports/{upid}/{uuid}");
  CHECK(parse({"notifications", "transports", "delete", "ntid_1000000000000001"}).endpoint->path ==
        "/api/v1/notifications/transports/{ntid}");
  CHECK(parse({"notifications", "transports", "delete", "my-phone"}).endpoint->path ==
        "/api/v1/notifications/transports/{deviceid}");
  // Mixed literal and parameters in one segment; percent-encoding.
  CHECK(parse({"system", "bridge", "balances", "ripple", "1"}).request.path ==
        "/api/v1/system/bridge/ripple-1/balances");
  CHECK(parse({"wallet", "listbyname", "my wallet"}).request.path == "/api/v1/wallet/list/name_my%20wallet");
  // Query parameters.
  auto q = parse({"wallet", "transactionlist", kWaid1, "--limit", "10"});
  CHECK(q.request.path == "/api/v1/wallet/" + kWaid1 + "/transactionlist?limit=10");
  CHECK_THROWS_WITH(parse({"wallet", "transactionlist", "--limit", "123456"}), Catch::Contains("limit"));
}

TEST_CASE("catalog commands: typed flags, --data merge", "[cli][catalog]") {
  auto w = parse({"wallet", "create", "--walletname", "savings", "--trading", "--market", "m"});
  Json body = Json::parse(w.request.body);
  CHECK(body["trading"] == true);
  auto f = parse({"wallet", "create", "--walletname", "savings", "--trading=false"});
  CHECK(Json::parse(f.request.body)["trading"] == false);
  auto g = parse({"wallet", "create", "--walletname", "savings", "--trading", "false"});
  CHECK(Json::parse(g.request.body)["trading"] == false);
  // Arrays: JSON or comma-separated words.
  auto a = parse({"profile", "apikey", "create", "--description", "ci", "--roles", "wallet-admin,viewer"});
  CHECK(Json::parse(a.request.body)["roles"] == Json::array({"wallet-admin", "viewer"}));
  auto j = parse({"profile", "apikey", "create", "--description", "ci", "--roles", R"(["a"])"});
  CHECK(Json::parse(j.request.body)["roles"] == Json::array({"a"}));
  // Numbers (integers in the catalog) keep their exact value, or are refused.
  auto n = parse({"tenant", "digital-wallet", "deposit", "--amount", "1010", "--namespace", "n"});
  CHECK(Json::parse(n.request.body)["amount"] == 1010);
  CHECK_THROWS_WITH(parse({"tenant", "digital-wallet", "deposit", "--amount", "123456789012345678901234", "--namespace", "n"}),
                    Catch::Contains("cannot be sent exactly"));
  CHECK_THROWS_WITH(parse({"tenant", "digital-wallet", "deposit", "--amount", "10.5", "--namespace", "n"}),
                    Catch::Contains("amount must be an integer"));
  CHECK_THROWS_WITH(parse({"tenant", "digital-wallet", "deposit", "--amount", "ten", "--namespace", "n"}),
                    Catch::Contains("--amount must be a number"));
  // --data is the base; flags override.
  auto d = parse({"wallet", "transfer", "--data", "@body.json", "--currency", "CAD", "--sourcewaid", kWaid1,
                  "--destinationwaid", kWaid2, "--description", "flag wins"});
  Json db = Json::parse(d.request.body);
  CHECK(db["amount"] == "1.00");
  CHECK(db["description"] == "flag wins");
  // A POST without parameters still sends a JSON object.
  CHECK(parse({"tenant", "onchain-preauth", "cancel", "INV-1001"}).request.body == "{}");
}

TEST_CASE("catalog commands: secrets never come from argv", "[cli][catalog][secrets]") {
  std::vector<std::string> base{"user", "login", "--email", "a@example.com"};
  auto with = [&](std::vector<std::string> extra) {
    auto v = base;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  CHECK_THROWS_WITH(parse(with({"--password", "Secret#123"})),
                    Catch::Contains("is a secret") && !Catch::Contains("Secret#123"));
  auto s = parse(with({"--password-stdin"}), io_with("Stdin#Pass1"));
  CHECK(Json::parse(s.request.body)["password"] == "Stdin#Pass1");
  auto f = parse(with({"--password-file", "/secret.txt"}));
  CHECK(Json::parse(f.request.body)["password"] == "FileSecret#1");
  // Required and left out: prompted on a terminal, else a clear error.
  auto p = parse(base, io_with("", std::string("Typed#Pass1")));
  CHECK(Json::parse(p.request.body)["password"] == "Typed#Pass1");
  CHECK_THROWS_WITH(parse(base), Catch::Contains("--password-stdin"));
  CHECK_THROWS_WITH(parse(with({"--password-stdin", "--data", "-"})), Catch::Contains("standard input"));
  // Masked copies for --curl.
  CHECK(s.request.masked_body.find("Stdin#Pass1") == std::string::npos);
  CHECK(s.request.masked_body.find(kMask) != std::string::npos);
  // A secret path parameter: --apikey-stdin selects GET /profile/{apikey}; the path is masked.
  auto k = parse({"profile", "get", "--apikey-stdin"}, io_with("0123456789ABCDEF0123456789ABCDEF"));
  CHECK(k.endpoint->path == "/api/v1/profile/{apikey}");
  CHECK(k.request.path == "/api/v1/profile/0123456789ABCDEF0123456789ABCDEF");
  CHECK(k.masked_path == "/api/v1/profile/****");
  CHECK(parse({"profile", "get", "upid_1000000000000001"}).endpoint->path == "/api/v1/profile/{upid}");
}

TEST_CASE("help: summary, flags, required, limits, accepted values; never a secret flag taking argv",
          "[cli][catalog]") {
  auto h = parse({"wallet", "withdraw", "--help"}).help;
  CHECK_THAT(h, Catch::Contains("Usage: omnictl wallet withdraw"));
  CHECK_THAT(h, Catch::Contains("Withdraw money"));
  CHECK_THAT(h, Catch::Contains("--amount"));
  CHECK_THAT(h, Catch::Contains("(required)"));
  CHECK_THAT(h, Catch::Contains("1-20 characters"));
  CHECK_THAT(h, Catch::Contains("one of: bank, iban, ripple, bitcoin, stellar, generic"));
  CHECK_THAT(h, Catch::Contains("Idempotency-Key"));
  auto u = parse({"user", "login", "-h"}).help;
  CHECK_THAT(u, Catch::Contains("--password-stdin | --password-file FILE"));
  auto g = parse({"wallet", "--help"}).help;
  CHECK_THAT(g, Catch::Contains("transfer"));
  CHECK_THAT(g, Catch::Contains("depositaddress"));
  CHECK_THAT(parse({"wallet", "get", "--help"}).help, Catch::Contains("or: omnictl wallet get WAID"));
  // Every command's help renders.
  for (const auto& ep : catalog::all()) {
    std::vector<std::string> words;
    std::istringstream in{std::string(ep.command)};
    std::string w;
    while (in >> w) words.push_back(w);
    words.push_back("--help");
    CHECK_FALSE(parse(words).help.empty());
  }
  CHECK(is_catalog_group("wallet"));
  CHECK_FALSE(is_catalog_group("login"));
}

TEST_CASE("table rendering", "[cli][output]") {
  Json answer = Json::parse(R"({"resultcode":10000,"resultmessage":"Ok","status":"ok",
    "database":{"reachable":true,"schemaversion":6},"roles":["a","b"],
    "wallets":[{"waid":"waid_1","balance":"1.00"},{"waid":"waid_22","balance":"10.5","extra":"x"}]})");
  std::string t = render_table(answer, false);
  CHECK_THAT(t, !Catch::Contains("resultcode"));
  CHECK_THAT(t, Catch::Contains("status                   ok") || Catch::Contains("status  "));
  CHECK_THAT(t, Catch::Contains("database.reachable"));
  CHECK_THAT(t, Catch::Contains("database.schemaversion"));
  CHECK_THAT(t, Catch::Contains("roles"));
  CHECK_THAT(t, Catch::Contains("a, b"));
  CHECK_THAT(t, Catch::Contains("wallets:\nWAID     BALANCE  EXTRA\nwaid_1   1.00\nwaid_22  10.5     x\n"));
  CHECK(t.find('\x1b') == std::string::npos);
  CHECK(render_table(answer, true).find("\x1b[1m") != std::string::npos);
  CHECK(render_table(Json::parse(R"({"resultcode":10000,"resultmessage":"Ok"})"), false) == "Ok\n");
  CHECK(render_table(Json::parse(R"({"walletlist":[]})"), false) == "walletlist  (none)\n");
}

TEST_CASE("--field picks one value by dotted path", "[cli][output]") {
  Json answer = Json::parse(R"({"a":{"b":[{"c":"x"},{"c":5}]},"s":"text","n":null})");
  CHECK(scalar_text(*find_field(answer, "a.b.0.c")) == "x");
  CHECK(scalar_text(*find_field(answer, "a.b.1.c")) == "5");
  CHECK(scalar_text(*find_field(answer, "s")) == "text");
  CHECK(scalar_text(*find_field(answer, "n")).empty());
  CHECK(scalar_text(*find_field(answer, "a.b.0")) == R"({"c":"x"})");
  CHECK_FALSE(find_field(answer, "a.b.2"));
  CHECK_FALSE(find_field(answer, "a.x"));
  CHECK_FALSE(find_field(answer, "s.t"));
  CHECK_FALSE(find_field(answer, "a.b.-1"));
}

TEST_CASE("--curl: the equivalent command, secrets masked unless asked", "[cli][request]") {
  Connection conn{"https://127.0.0.1:8443/", "0123456789ABCDEF0123456789ABCDEF", "", "/tmp/ca dir/ca.pem", 5000};
  Request req{"POST", "/api/v1/wallet/transfer", R"({"amount":"1","note":"it's"})", R"({"amount":"1","note":"it's"})",
              "omnictl-abc"};
  std::string c = render_curl(conn, req, false);
  CHECK(c == "curl -sS -X POST --cacert '/tmp/ca dir/ca.pem' -H 'Accept: application/json' -H 'X-APIKey: ****' "
             "-H 'Idempotency-Key: omnictl-abc' -H 'Content-Type: application/json' "
             "--data '{\"amount\":\"1\",\"note\":\"it'\\''s\"}' https://127.0.0.1:8443/api/v1/wallet/transfer");
  CHECK(c.find(conn.apikey) == std::string::npos);
  CHECK(render_curl(conn, req, true).find("X-APIKey: " + conn.apikey) != std::string::npos);
  Connection bearer{"https://h", "", "eyJ.secret.token", "", 5000};
  Request get{"GET", "system/health", "", "", ""};
  std::string b = render_curl(bearer, get, false);
  CHECK(b == "curl -sS -H 'Accept: application/json' -H 'Authorization: Bearer ****' https://h/api/v1/system/health");
  // A masked body is shown instead of the real one.
  Request secret{"POST", "/api/v1/user/login", R"({"password":"P@ss"})", R"({"password":"****"})", ""};
  CHECK(render_curl(conn, secret, false).find("P@ss") == std::string::npos);
  CHECK(render_curl(conn, secret, true).find("P@ss") != std::string::npos);
  CHECK(shell_quote("plain-1.0") == "plain-1.0");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
}

TEST_CASE("retry rules follow the spec's result code table", "[cli][request]") {
  auto answer = [](int rc) {
    ApiOutcome o;
    o.exit_code = rc == 10000 ? kExitOk : kExitApiError;
    o.json = Json{{"resultcode", rc}, {"resultmessage", "x"}};
    return o;
  };
  RetryPolicy plain;
  CHECK(retry_delay(answer(10001), plain) == 10);
  CHECK(retry_delay(answer(10002), plain) == 10);
  CHECK(retry_delay(answer(10003), plain) == 10);
  CHECK(retry_delay(answer(10004), plain) == 5);
  CHECK_FALSE(retry_delay(answer(10000), plain));
  CHECK_FALSE(retry_delay(answer(10110), plain));
  CHECK_FALSE(retry_delay(answer(10151), plain));
  RetryPolicy quick;
  quick.delay_s = 0.25;
  CHECK(retry_delay(answer(10002), quick) == 0.25);

  ApiOutcome timeout;
  timeout.exit_code = kExitNetwork;
  timeout.http.failure = net::Failure::Timeout;
  CHECK(retry_delay(timeout, plain) == 10);
  ApiOutcome dropped;
  dropped.exit_code = kExitNetwork;
  dropped.http.failure = net::Failure::Other;
  CHECK_FALSE(retry_delay(dropped, plain));  // may have been served: not blindly resent
  RetryPolicy money;
  money.financial = true;
  CHECK(retry_delay(dropped, money) == 10);  // the same Idempotency-Key makes it safe
  CHECK(retry_delay(answer(10151), money) == 5);
  ApiOutcome empty_reply;  // curl: "Empty reply from server" / connection reset
  empty_reply.exit_code = kExitNetwork;
  empty_reply.http.failure = net::Failure::Connect;
  CHECK_FALSE(retry_delay(empty_reply, plain));
  CHECK(retry_delay(empty_reply, money) == 10);
  ApiOutcome tls;
  tls.exit_code = kExitNetwork;
  tls.http.failure = net::Failure::Tls;
  CHECK_FALSE(retry_delay(tls, money));
  ApiOutcome html;  // an answer that is not JSON
  html.exit_code = kExitNetwork;
  CHECK(retry_delay(html, plain) == 10);

  CHECK(outcome_unknown(dropped));
  CHECK(outcome_unknown(answer(10003)));
  CHECK_FALSE(outcome_unknown(answer(10160)));
}

// The handler registry against the catalog and README's list of implemented endpoints.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "common/catalog/catalog.h"
#include "daemon/modules/module.h"

TEST_CASE("README lists exactly the endpoints that have handlers", "[registry]") {
  og::Registry registry;
  og::register_all(registry);
  std::set<std::string> bound;
  for (const auto& ep : og::catalog::all())
    if (registry.find(ep)) bound.insert(ep.key());
  REQUIRE(bound.size() == registry.size());

  std::ifstream in(std::string(OMNIGATE_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string readme = ss.str();
  auto begin = readme.find("<!-- implemented:begin -->");
  auto end = readme.find("<!-- implemented:end -->");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::string section = readme.substr(begin, end - begin);
  std::set<std::string> listed;
  std::istringstream lines(section);
  std::string line;
  while (std::getline(lines, line)) {
    // "- `GET /api/v1/system/health` ..."
    if (line.rfind("- `", 0) != 0) continue;
    auto close = line.find('`', 3);
    if (close != std::string::npos) listed.insert(line.substr(3, close - 3));
  }
  CHECK(listed == bound);
}

TEST_CASE("binding a handler to an unknown or already bound endpoint fails", "[registry]") {
  og::Registry r;
  CHECK_THROWS(r.bind("GET /api/v1/no/such", og::blocking([](og::App&, og::Call&) { return og::Reply::ok(); })));
  r.bind("GET /api/v1/system/health", og::blocking([](og::App&, og::Call&) { return og::Reply::ok(); }));
  CHECK_THROWS(r.bind("GET /api/v1/system/health", og::blocking([](og::App&, og::Call&) { return og::Reply::ok(); })));
}

#include "tests/support/test_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <system_error>

namespace og::test {

namespace {

// Owns the shared cluster and its directory; its destructor runs at process exit.
class SharedCluster {
 public:
  SharedCluster() {
    // Short, so that the unix socket path stays far below its 107-byte limit.
    char tmpl[] = "/tmp/ogpg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      throw std::system_error(errno, std::system_category(), "mkdtemp /tmp/ogpg-XXXXXX");
    }
    dir_ = tmpl;
    ::chmod(dir_.c_str(), 0711);  // the cluster may run as another user (we may be root)
    try {
      cluster_ = std::make_unique<store::LocalCluster>(
          store::LocalClusterOptions{.dir = dir_,
                                     .database = "ogtest",
                                     .start_timeout = std::chrono::seconds(60),
                                     .durable = false});  // a throwaway cluster: no fsync
      cluster_->start();
    } catch (...) {
      cluster_.reset();
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      throw;
    }
  }
  ~SharedCluster() {
    if (::getpid() != owner_) return;  // a forked child must not stop its parent's cluster
    cluster_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  store::LocalCluster& cluster() { return *cluster_; }

 private:
  pid_t owner_ = ::getpid();
  std::filesystem::path dir_;
  std::unique_ptr<store::LocalCluster> cluster_;
};

}  // namespace

store::LocalCluster& shared_cluster() {
  static SharedCluster shared;  // thread-safe start on first use, stopped at exit
  return shared.cluster();
}

std::string shared_cluster_conninfo_for(const std::string& dbname) {
  return shared_cluster().conninfo(dbname);
}

std::string fresh_database(std::string_view prefix) {
  static std::atomic<int> counter{0};
  auto& cluster = shared_cluster();
  const std::string name =
      std::string(prefix) + "_" + std::to_string(++counter) + "_" + std::to_string(::getpid());
  pqxx::connection conn(cluster.conninfo("postgres"));
  pqxx::nontransaction tx(conn);
  tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name));
  tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  return cluster.conninfo(name);
}

}  // namespace og::test

// LeakSanitizer (OMNIGATE_SANITIZE builds): libpqxx 6.4 leaks the PGresult of a query
// that finds its connection broken: connection_base::make_result() asks encoding_id()
// before the result owns the PGresult, and that throws broken_connection. libpqxx 7
// fixed it. Tests that break connections on purpose would otherwise always fail.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

#pragma once
// Horizon's REST API as the Stellar bridge uses it: GETs of resources (JSON, problem+json
// errors) and POST /transactions (form tx=<base64 envelope>). Thread-safe: a connection for
// reads and one for submissions (a submission waits for a ledger to close; reads go on).

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/json.h"

namespace og::net {
class Client;
}

namespace og::bridges::horizon {

struct Reply {
  enum class Kind {
    Ok,           // 200 with a JSON object
    NotFound,     // 404: the resource does not exist (yet)
    Refused,      // another 4xx with a JSON problem (body: the problem)
    Unreachable,  // no answer, a timeout, 5xx (504 included), not JSON: unknown, try again later
  } kind = Kind::Unreachable;
  long status = 0;
  Json body = Json::object();
  std::string error;  // what went wrong, for messages (no secrets)
  bool ok() const { return kind == Kind::Ok; }
};

class Client {
 public:
  Client(std::string url, std::chrono::seconds timeout);
  ~Client();
  // `path` without a leading slash ("accounts/G..."), with its query.
  Reply get(const std::string& path);
  Reply submit(const std::string& envelope_base64);
  const std::string& url() const { return url_; }

 private:
  Reply perform(net::Client& c, std::mutex& mu, const std::string& method, const std::string& path,
                const std::string& body);
  std::string url_;
  std::chrono::seconds timeout_;
  std::mutex read_mu_, submit_mu_;
  std::unique_ptr<net::Client> reads_, submits_;
};

}  // namespace og::bridges::horizon

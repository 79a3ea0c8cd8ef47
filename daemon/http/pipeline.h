#pragma once
// One pipeline for every catalog route, in a fixed order (Ceph RGW's idea: an operation
// never sees a request that skipped a step):
//   parse -> route -> component lock -> authenticate -> rights -> validate -> rate limit
//   -> handler -> JSON answer (shaped by the endpoint's style) -> one log line.
// Requests are processed on the worker pool; the transport's I/O threads never block.

#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "daemon/api/call.h"
#include "daemon/api/registry.h"
#include "daemon/http/auth.h"
#include "daemon/http/rate_limit.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"

namespace og::http {

struct PipelineOptions {
  bool log_requests = true;
  std::size_t max_json_depth = 64;
  // Failed authentications per address ([auth] failure_burst, failures_per_second): 0 = no limit.
  int auth_failure_burst = 20;
  double auth_failures_per_second = 1;
};

class Pipeline : public RequestHandler {
 public:
  // `owners` checks the object a call names (the modules provide it: daemon/modules/ownership.h).
  Pipeline(App& app, Authenticator& auth, const Registry& registry, OwnerCheck owners, boost::asio::thread_pool& workers,
           RateLimiter* limiter, PipelineOptions options = {});
  void handle(Request&& req, const RequestInfo& info, Respond respond) override;
  Response transport_error(TransportError e, const Request* partial) override;

 private:
  struct Exchange;
  // Runs the pipeline. With may_block false (on the I/O thread) it stops and returns false
  // as soon as a step would wait (an uncached credential, a blocking handler); the caller
  // then runs it again on the worker pool. True when the request was answered or handed
  // to its handler.
  bool process(const std::shared_ptr<Exchange>& x, bool may_block);
  bool finish(const std::shared_ptr<Exchange>& x, Reply reply);  // always true

  App& app_;
  Authenticator& auth_;
  const Registry& registry_;
  OwnerCheck owners_;
  boost::asio::thread_pool& workers_;
  RateLimiter* limiter_;
  PipelineOptions options_;
  std::unique_ptr<RateLimiter> auth_failures_;  // per address; nullptr: no limit
  Router router_;
};

// Renders a reply in the endpoint's style (nullptr endpoint: by path prefix).
Response render(const catalog::Endpoint* ep, std::string_view path, Reply reply, unsigned http_version,
                const std::string& request_id);

}  // namespace og::http

#include "daemon/modules/module.h"

#include <stdexcept>

#include "daemon/app.h"
#include "daemon/jobs/scheduler.h"
#include "daemon/outbox/outbox.h"

namespace og {

Handler blocking(std::function<Reply(App&, Call&)> fn) {
  return [fn = std::move(fn)](App& app, Call& call, Done done) {
    outbox::take_enqueued();
    Reply reply = fn(app, call);
    // The handler's transaction is over: whatever it wrote to the outbox is committed now.
    if (outbox::take_enqueued() && app.jobs) app.jobs->wake("outbox");
    done(std::move(reply));
  };
}

const Target& target_of(const Call& call) {
  if (!call.target) throw std::logic_error(call.endpoint.key() + ": the handler wants a target the pipeline did not resolve");
  return *call.target;
}

void Registry::bind(std::string_view key, Handler h, Blocks blocks) {
  const catalog::Endpoint* ep = catalog::find(key);
  if (!ep) throw std::logic_error("handler bound to an endpoint that is not in the catalog: " + std::string(key));
  if (!handlers_.emplace(ep, Bound{std::move(h), blocks}).second)
    throw std::logic_error("two handlers bound to " + std::string(key));
}

const Registry::Bound* Registry::find(const catalog::Endpoint& ep) const {
  auto it = handlers_.find(&ep);
  return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace og

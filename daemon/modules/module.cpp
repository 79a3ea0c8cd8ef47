#include "daemon/modules/module.h"


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

}  // namespace og

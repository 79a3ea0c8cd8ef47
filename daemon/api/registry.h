#pragma once
// Handlers bound to catalog entries by key ("POST /api/v1/wallet/transfer"), and the
// object-level authorization the pipeline runs before them. daemon/modules/ fills the
// registry (register_all) and provides the owner check (ownership.h); daemon.cpp hands both
// to the pipeline (daemon/http/pipeline.h).

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "common/catalog/catalog.h"
#include "daemon/api/call.h"

namespace og {

// Runs on a worker thread and may block (database); must call `done` exactly once,
// possibly later from another thread.
using Done = std::function<void(Reply)>;
using Handler = std::function<void(App& app, Call& call, Done done)>;

// Whether a handler may wait (database, network). Handlers that never do (static answers)
// run on the I/O thread and skip two thread hops.
enum class Blocks { Yes, No };

class Registry {
 public:
  struct Bound {
    Handler handler;
    Blocks blocks;
  };
  // Throws std::logic_error if the key is not in the catalog or bound twice.
  void bind(std::string_view key, Handler h, Blocks blocks = Blocks::Yes);
  const Bound* find(const catalog::Endpoint& ep) const;
  std::size_t size() const { return handlers_.size(); }

 private:
  std::unordered_map<const catalog::Endpoint*, Bound> handlers_;
};

// Object-level authorization (catalog::Endpoint::owner): whether the pipeline checks an
// endpoint's owner, and the check itself (nullopt and call.target set when the caller may
// act on it, else the refusal). daemon/modules/ownership.h implements both.
struct OwnerCheck {
  bool (*checks)(const catalog::Endpoint& ep);
  std::optional<Reply> (*check)(App& app, Call& call);
};

}  // namespace og

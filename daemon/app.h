#pragma once
// The running daemon's shared state, handed to every handler.

#include <array>
#include <atomic>
#include <string>

#include "common/catalog/catalog.h"
#include "daemon/config.h"
#include "daemon/http/auth.h"
#include "daemon/http/rate_limit.h"

namespace og {

namespace store {
class Pool;
}
namespace ledger {
class Ledger;
}
namespace omnipass {
class TokenService;
}
namespace secrets {
class SecretStore;
}
namespace mail {
class Mailer;
}

// omnipass, omnibridge, omnipay: locked after a restart until unlocked with the
// application password (the unlock issue). Nothing locks them yet: no secret is stored
// encrypted at rest so far, so every component starts unlocked.
class ComponentLocks {
 public:
  enum Index { Omnipass = 0, Omnibridge = 1, Omnipay = 2 };
  bool locked(catalog::Component c) const;
  void set_locked(Index i, bool locked) { locked_[i] = locked; }
  bool locked(Index i) const { return locked_[i]; }

 private:
  std::array<std::atomic<bool>, 3> locked_{};
};

struct App {
  const Config& config;
  store::Pool& pool;
  http::Authenticator& auth;
  ComponentLocks locks;
  ledger::Ledger* ledger = nullptr;  // set once the database is ready
  omnipass::TokenService* tokens = nullptr;
  secrets::SecretStore* secrets = nullptr;
  mail::Mailer* mailer = nullptr;    // nullptr: no mail transport configured
  std::atomic<int> schema_version{0};
  std::string version = "0.1.0";
};

}  // namespace og

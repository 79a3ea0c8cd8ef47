#pragma once
// The running daemon's shared state, handed to every handler.

#include <array>
#include <atomic>
#include <string>

#include "common/catalog/catalog.h"
#include "daemon/api/principal.h"
#include "daemon/config.h"

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
class EncryptedSecretStore;
}
namespace mail {
class Mailer;
}
namespace jobs {
class Scheduler;
}
namespace bridges {
class Bridges;
}

// omnipass, omnibridge, omnipay: locked after a restart until unlocked with the
// application password (docs/unlock.md) when the database has a keyring; unlocked from the
// start when it has none (omnid --dev, or a database not set up by omnictl install).
class ComponentLocks {
 public:
  enum Index { Omnipass = 0, Omnibridge = 1, Omnipay = 2 };
  bool locked(catalog::Component c) const;
  // Whether the pipeline refuses `ep` (10132): its component is locked and it is not one of
  // the unlock endpoints themselves.
  bool blocks(const catalog::Endpoint& ep) const;
  void set_locked(Index i, bool locked) { locked_[i] = locked; }
  bool locked(Index i) const { return locked_[i]; }

 private:
  std::array<std::atomic<bool>, 3> locked_{};
};

struct App {
  const Config& config;
  store::Pool& pool;
  // The pipeline's credential cache (daemon/http/auth.h), for handlers that revoke one.
  api::CredentialCache& credentials;
  // A few connections for short statements that must commit on their own while the
  // caller's transaction is open (login throttling). nullptr: `pool` is used.
  store::Pool* throttle_pool = nullptr;
  ComponentLocks locks;
  ledger::Ledger* ledger = nullptr;  // set once the database is ready
  omnipass::TokenService* tokens = nullptr;
  secrets::SecretStore* secrets = nullptr;
  // The same store when secrets are encrypted at rest (the database has a keyring), else nullptr.
  secrets::EncryptedSecretStore* encrypted = nullptr;
  mail::Mailer* mailer = nullptr;    // nullptr: no mail transport configured
  jobs::Scheduler* jobs = nullptr;
  bridges::Bridges* bridges = nullptr;  // the bridge instances of this node (omnid.toml [[bridge]])
  std::atomic<int> schema_version{0};
  std::string version = "0.1.0";
};

}  // namespace og

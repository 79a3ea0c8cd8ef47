#include "daemon/modules/omnibridge/omnibridge.h"

namespace og::omnibridge {

void register_wallets(Registry& r);
void register_transactions(Registry& r);
void register_currencies(Registry& r);
void register_bridges(Registry& r);
void register_reconcile(Registry& r);

void register_handlers(Registry& r) {
  register_wallets(r);
  register_transactions(r);
  register_currencies(r);
  register_bridges(r);
  register_reconcile(r);
}

}  // namespace og::omnibridge

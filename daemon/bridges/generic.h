#pragma once
// The generic bridge (our extension): an external adapter, run by a partner or by the
// operator, that moves money outside and reports it here (role adapter-admin). It reports
// deposits (system/bridge/generic/deposit), fetches pending withdrawals
// (system/bridge/generic/withdrawals) and reports how each ended
// (system/bridge/generic/withdraw/close): a pull bridge. It keeps its own books, so omnid
// cannot see its external balances.

#include <memory>

#include "daemon/bridges/bridge.h"

namespace og::bridges {

const AccountSchema& generic_schema();
std::unique_ptr<Bridge> make_generic(InstanceSettings settings);

}  // namespace og::bridges

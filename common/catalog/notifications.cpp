#include "common/catalog/entries.h"

namespace og::catalog::entries {

void notifications(std::vector<Endpoint>& out) { (void)out; }

}  // namespace og::catalog::entries

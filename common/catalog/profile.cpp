#include "common/catalog/entries.h"

namespace og::catalog::entries {

void profile(std::vector<Endpoint>& out) { (void)out; }

}  // namespace og::catalog::entries

#include "common/catalog/entries.h"

namespace og::catalog::entries {

void statics(std::vector<Endpoint>& out) { (void)out; }

}  // namespace og::catalog::entries

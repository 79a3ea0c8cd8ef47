// Spec section: static data (/static...): currencies, roles and rights.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

void statics(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/static/currencylist",
      .summary = "Get list of all available currencies",
      .component = Component::Static,
      .access = Access::Read,
      .rights = {},
      .command = "static currencylist",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/static/rolelist",
      .summary = "Get list of roles and rights",
      .component = Component::Static,
      .access = Access::Read,
      .rights = {},
      .command = "static rolelist",
      .notes = "Any authenticated caller: the roles and rights are published in the guide itself, and those "
               "who assign roles to team members and API keys need the list.",
  });
}

}  // namespace og::catalog::entries

#pragma once
// Object-level authorization, declared in the catalog (catalog::Endpoint::owner) and
// checked by the pipeline before the handler runs: the object the call names (or the
// caller's own profile / default wallet) is resolved in one query, the tier (own profile,
// child profile, anyone's) picks the rights that open it, and a refusal is answered here:
// 10122 when the object is the caller's own profile's or a child's (it may know of it),
// else exactly the answer for an object that does not exist (10140, the same message), so
// that no caller learns which identifiers exist by trying them. The handler gets the
// resolved object in Call::target.
#include <optional>

#include "daemon/modules/module.h"

namespace og {

// Whether the pipeline checks ep's owner (declared, and not left to a handler or the ledger).
bool pipeline_checks_owner(const catalog::Endpoint& ep);

// Resolves and checks call.endpoint.owner: nullopt and call.target set when the caller may
// act on it, else the refusal. Throws what the database throws.
std::optional<Reply> check_owner(App& app, Call& call);

}  // namespace og

#pragma once
// Helpers shared by the Omnipass handlers.

#include <string>

#include "daemon/app.h"
#include "daemon/modules/access.h"
#include "daemon/modules/module.h"
#include "daemon/modules/params.h"
#include "daemon/modules/omnipass/accounts.h"

namespace og::omnipass {


// The profile the pipeline resolved and opened for the call (the catalog entry's owner:
// its {upid}, or the caller's own); nullopt + error reply if it was deleted since.
std::optional<Profile> target_profile(pqxx::transaction_base& tx, const Call& call, Reply& error);

// The spec's "profile" object of GET /profile (individual or organization attributes).
Json profile_object(const Profile& p);
// The whole GET /profile answer for `p` as seen by the caller.
Json profile_answer(const Profile& p, const api::Principal& caller);

// Link in a mail: the client's callback URL with ?token=... appended.
std::string link_with_token(const std::string& callbackurl, const std::string& token);
// Writes a mail to the outbox in `tx` (delivered after the commit, daemon/outbox/), or
// answers why it cannot (no transport configured, an unusable message). std::nullopt: queued.
std::optional<Reply> send_mail(App& app, pqxx::work& tx, const std::string& to, const std::string& subject,
                               const std::string& text);

}  // namespace og::omnipass

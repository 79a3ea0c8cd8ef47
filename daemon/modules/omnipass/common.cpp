#include "daemon/modules/omnipass/common.h"

#include "daemon/log.h"
#include "daemon/mail/mailer.h"
#include "daemon/outbox/outbox.h"
#include "daemon/modules/omnipass/extended.h"

namespace og::omnipass {


std::optional<Profile> target_profile(pqxx::transaction_base& tx, const Call& call, Reply& error) {
  // Resolved and opened by the pipeline (the catalog entry's owner rule, modules/ownership.h).
  const std::string& upid = target_of(call).upid;
  auto p = find_profile(tx, upid);
  if (!p) error = Reply::error(Rc::NotFound, "profile " + upid + " does not exist");  // deleted since
  return p;
}

Json profile_object(const Profile& p) {
  static const char* kIndividual[] = {"firstname", "lastname", "email", "phone", "address1", "address2",
                                      "city",      "region",   "country", "postalcode", "birthday"};
  static const char* kOrganization[] = {"adminfirstname", "adminlastname", "adminemail", "organizationname",
                                        "address1",       "address2",      "city",       "region",
                                        "country",        "postalcode",    "phone",      "industry",
                                        "registrationid"};
  Json out = Json::object();
  if (p.type == "organization") {
    for (const char* k : kOrganization) {
      std::string source = std::string(k) == "adminemail" ? "email" : k;
      if (p.attributes.contains(source)) out[k] = p.attributes[source];
    }
  } else {
    for (const char* k : kIndividual)
      if (p.attributes.contains(k)) out[k] = p.attributes[k];
  }
  return out;
}

Json profile_answer(const Profile& p, const api::Principal& caller) {
  Json j{{"upid", p.upid}, {"type", p.type}, {"status", p.status}, {"tierlevel", p.tierlevel}};
  j["roles"] = caller.upid == p.upid ? Json(caller.roles) : Json::array();
  j["profile"] = profile_object(p);
  j["version"] = p.version;
  if (!p.master_uuid.empty()) j["masteruuid"] = p.master_uuid;
  if (!p.parent_upid.empty()) j["parentupid"] = p.parent_upid;
  if (caller.kind == api::Principal::Kind::ApiKey && caller.upid == p.upid) j["akid"] = caller.akid;
  if (!p.fsid.empty()) j["fsid"] = p.fsid;
  if (caller.rights.has("internalapp")) j["internal"] = p.internal;
  j["extended"] = masked_extended(p.extended);
  return j;
}

std::string link_with_token(const std::string& callbackurl, const std::string& token) {
  return callbackurl + (callbackurl.find('?') == std::string::npos ? "?" : "&") + "token=" + token;
}

std::optional<Reply> send_mail(App& app, pqxx::work& tx, const std::string& to, const std::string& subject,
                               const std::string& text) {
  if (!app.mailer) return Reply::error(Rc::NotAvailable, "no mail transport is configured ([mail] in omnid.toml)");
  mail::Message message{to, subject, text};
  try {
    mail::format_message(message, app.config.mail.from);  // refused now rather than dead later
  } catch (const std::exception& e) {
    log::error("mail not sent", {{"to", to}, {"error", e.what()}});
    return Reply::error(Rc::SystemError, "the e-mail could not be sent");
  }
  outbox::enqueue_mail(tx, *app.secrets, std::move(message));
  outbox::note_enqueued();
  return std::nullopt;
}

}  // namespace og::omnipass

#pragma once
// Omnipass's storage: profiles, users, the roles of a user on a profile, one-time e-mail
// tokens and login throttling. Plain rows; the handlers decide who may do what.

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/json.h"

namespace og::omnipass {

struct Profile {
  std::string upid, type, status, parent_upid, master_uuid, fsid;
  int tierlevel = 0;
  bool is_system = false;
  Json attributes = Json::object();
  Json extended = Json::object();
  Json internal = Json::object();
  int version = 1;
  std::string name() const;  // "John Smith" or the organization's name
};

struct User {
  std::string uuid, email, password_hash, language, timezone, status, mfa_secret, mfa_pending, default_upid,
      callback_url;
  bool mfa_enabled = false;
  long long mfa_last_step = 0;
};

struct Membership {
  std::string uuid, upid, email;
  std::vector<std::string> roles;
  bool is_master = false;
};

std::optional<Profile> find_profile(pqxx::transaction_base& tx, const std::string& upid, bool for_update = false);
std::string insert_profile(pqxx::work& tx, const Profile& p);  // returns the new upid
void save_profile(pqxx::work& tx, const Profile& p);           // attributes, extended, status; version + 1

std::optional<User> find_user(pqxx::transaction_base& tx, const std::string& uuid, bool for_update = false);
std::optional<User> find_user_by_email(pqxx::transaction_base& tx, const std::string& email, bool for_update = false);
std::string insert_user(pqxx::work& tx, const User& u);  // returns the new uuid
void save_user(pqxx::work& tx, const User& u);

std::optional<Membership> membership(pqxx::transaction_base& tx, const std::string& uuid, const std::string& upid);
std::vector<Membership> memberships_of_user(pqxx::transaction_base& tx, const std::string& uuid);
std::vector<Membership> team_of(pqxx::transaction_base& tx, const std::string& upid);
void set_membership(pqxx::work& tx, const Membership& m);
bool remove_membership(pqxx::work& tx, const std::string& uuid, const std::string& upid);

// One-time e-mail tokens: 32 hexadecimal characters (the spec's reset token), only their
// SHA-256 stored. consume() marks one used and returns its user (and new e-mail).
struct TokenUse {
  std::string uuid, new_email;
};
std::string issue_token(pqxx::work& tx, const std::string& uuid, const std::string& purpose,
                        std::chrono::seconds ttl, const std::string& new_email = {});
std::optional<TokenUse> consume_token(pqxx::work& tx, const std::string& token, const std::string& purpose);

// Login throttling (docs/security.md), per key ("acct:<email>", "addr:<ip>", "unlock:<ip>"):
// from the third failure within an hour on (the tenth for "addr:" keys), the next attempt
// must wait 2, 4, 8, ... seconds (at most 300) after the last failure. Failures older than
// an hour are forgiven.
std::optional<std::chrono::seconds> throttled(pqxx::transaction_base& tx, const std::string& key);
void record_failure(pqxx::work& tx, const std::string& key);
void clear_failures(pqxx::work& tx, const std::string& key);
// An attempt counted before the password is checked, in its own short transaction on
// `conn` (not the caller's: the rows must not stay locked while the password is hashed).
// If any key must wait, nothing is counted and the longest wait is returned; otherwise the
// attempt is counted as a failure on every key (rows locked in key order, so concurrent
// attempts see each other's counts) and nullopt is returned. An attempt that then turns
// out right calls clear_failures or forgive_attempt.
std::optional<std::chrono::seconds> reserve_attempt(pqxx::connection& conn, std::vector<std::string> keys);
// Takes back one counted failure (a right password counted by reserve_attempt).
void forgive_attempt(pqxx::connection& conn, const std::string& key);
void clear_failures(pqxx::connection& conn, const std::string& key);

std::vector<std::string> roles_from_json(const std::string& json_array_text);

}  // namespace og::omnipass

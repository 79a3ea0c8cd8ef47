#pragma once
// Profiles and API keys created outside the API: the `omnid --dev` administrator now,
// the installer's platform administrator later.

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/json.h"

namespace og::omnipass {

struct NewApiKey {
  std::string akid;
  std::string apikey;  // shown once, never stored
};

// Inserts a profile and returns its upid.
std::string create_profile(pqxx::work& tx, const std::string& type, const Json& attributes, bool is_system);

// Generates a key (32 hex characters from the CSPRNG), stores only its SHA-256.
NewApiKey create_api_key(pqxx::work& tx, const std::string& upid, const std::string& description,
                         const std::vector<std::string>& roles);

// The dev administrator (role system-admin): reuses the profile of an earlier run, revokes
// that run's key and returns a fresh one.
NewApiKey ensure_dev_admin(pqxx::connection& conn);

}  // namespace og::omnipass

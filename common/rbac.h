#pragma once
// Roles and rights exactly as the spec's "Roles and Rights List" gives them: the list of
// rights with their descriptions, the roles with theirs, and the role -> rights mapping.
// A role grants the union of its rights; the right "superuser" grants every right.

#include <bitset>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace og::rbac {

struct Right {
  std::string_view id;
  std::string_view description;
};

struct Role {
  std::string_view id;
  std::string_view description;
  std::vector<std::string_view> rights;
};

std::span<const Right> rights();   // spec order
std::span<const Role> roles();     // spec order
const Role* find_role(std::string_view id);
const Right* find_right(std::string_view id);

constexpr std::size_t kMaxRights = 128;

// The rights granted by a set of roles. Cheap to copy and to query.
class RightSet {
 public:
  RightSet() = default;
  static RightSet of_roles(std::span<const std::string> roles);
  static RightSet of_roles(std::span<const std::string_view> roles);

  void add_role(std::string_view role);    // unknown roles grant nothing
  void add_right(std::string_view right);  // unknown rights are ignored
  bool superuser() const;
  // True if the set holds the right, or holds superuser.
  bool has(std::string_view right) const;
  // True only if a role grants this very right (superuser does not count): for rights
  // that must be given on purpose, such as negativewallet.
  bool granted(std::string_view right) const;
  // True if `rights` is empty or the set has at least one of them.
  bool has_any(std::span<const std::string_view> rights) const;
  std::vector<std::string_view> list() const;  // the rights held, spec order

 private:
  std::bitset<kMaxRights> bits_;
};

}  // namespace og::rbac

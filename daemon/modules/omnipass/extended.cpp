#include "daemon/modules/omnipass/extended.h"

#include <array>

namespace og::omnipass {

namespace {
// The spec's default attributes, in its order. paymentprocessorsecret ("Merchant Payment
// Processor secret API Key") is masked although the spec's list gives it no flag: a
// secret is never shown back (docs/spec-decisions.md).
constexpr std::array kAttributes{
    ExtendedAttribute{"walletnotificationenabled", "boolean", "Wallet notification enabled"},
    ExtendedAttribute{"paymentnotificationenabled", "boolean", "Payment notification enabled"},
    ExtendedAttribute{"merchantnotificationurl", "string", "Merchant notification URL"},
    ExtendedAttribute{"merchantcallbackuser", "string", "Merchant callback username"},
    ExtendedAttribute{"merchantcallbackpassword", "string", "Merchant callback password", false, true},
    ExtendedAttribute{"merchantacceptedcurrencylist", "array", "Merchant accepted currency list"},
    ExtendedAttribute{"merchantpaymentprocessor", "string", "Merchant Payment Processor"},
    ExtendedAttribute{"issuername", "string", "Issuer name", true},
    ExtendedAttribute{"candowithdraw", "boolean", "Can do withdraw"},
    ExtendedAttribute{"rippleissueraddress", "string", "Ripple issuer address", true},
    ExtendedAttribute{"stellarissueraddress", "string", "Stellar issuer address", true},
    ExtendedAttribute{"rippleprofileaddress", "string", "Ripple profile address", true},
    ExtendedAttribute{"stellarprofileaddress", "string", "Stellar profile address", true},
    ExtendedAttribute{"notificationsettings", "object", "Notification settings"},
    ExtendedAttribute{"mobileappnamewallet", "string", "Mobile application name"},
    ExtendedAttribute{"mobileappnameterminal", "string", "Mobile application name"},
    ExtendedAttribute{"paymentprocessorname", "string", "Name of the payment processor"},
    ExtendedAttribute{"paymentprocessorsecret", "string", "Merchant Payment Processor secret API Key", false, true},
    ExtendedAttribute{"paymentprocessorpublic", "string", "Merchant Payment Processor public Key"},
    ExtendedAttribute{"paymentprocessorid", "string", "Merchant Payment Processor identifier"},
    ExtendedAttribute{"customattribute1", "string", "Custom Attribute", false, false, 10},
};

bool type_ok(std::string_view type, const Json& v) {
  if (type == "boolean") return v.is_boolean();
  if (type == "string") return v.is_string();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return false;
}
}  // namespace

std::span<const ExtendedAttribute> extended_attributes() { return kAttributes; }

const ExtendedAttribute* find_extended(std::string_view name) {
  for (const auto& a : kAttributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::optional<ExtendedError> merge_extended(Json& current, const Json& changes) {
  if (!changes.is_object()) return ExtendedError{Rc::BadType, "extended must be a JSON object"};
  Json next = current;
  for (const auto& [name, value] : changes.items()) {
    const ExtendedAttribute* a = find_extended(name);
    if (!a) return ExtendedError{Rc::UnknownParameter, "extended." + name + " is not an extended attribute"};
    bool set = current.contains(name) && !current[name].is_null();
    if (a->worm && set && current[name] != value)
      return ExtendedError{Rc::BadValue, "extended." + name + " is write-once and set already"};
    if (value.is_null()) {
      if (a->worm && set) return ExtendedError{Rc::BadValue, "extended." + name + " is write-once and set already"};
      next.erase(name);
      continue;
    }
    if (!type_ok(a->type, value))
      return ExtendedError{Rc::BadType, "extended." + name + " must be " + std::string(a->type == "array" ? "an " : "a ") +
                                            std::string(a->type)};
    if (a->type == "string" && value.get<std::string>().size() > 1000)
      return ExtendedError{Rc::BadLength, "extended." + name + " must be at most 1000 characters long"};
    next[name] = value;
  }
  current = std::move(next);
  return std::nullopt;
}

Json masked_extended(const Json& extended) {
  Json out = Json::object();
  for (const auto& [name, value] : extended.items()) {
    const ExtendedAttribute* a = find_extended(name);
    out[name] = a && a->mask && !value.is_null() ? Json("********") : value;
  }
  return out;
}

}  // namespace og::omnipass

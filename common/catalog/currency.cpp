// Spec section: currencies (/currency...) and system currencies (/system/currency...).
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

std::vector<std::string_view> create_rights() { return {"createcurrency", "createextendedcurrency"}; }
std::vector<std::string_view> list_rights() { return {"listmycurrencies", "createcurrency"}; }

std::vector<Param> profileaddress_params() {
  return {P("bridgename").req().len(2, 15).desc("Bridge name, instantiated in the system")};
}

}  // namespace

void currency(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/extended/create",
      .summary = "Create a new extended currency for active profile",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = {P("currencycode").req().len(3, 3).fmt(Format::CurrencyCode).desc("3 letters currency code"),
                 P("currencyname").req().len(1, 15).desc("Full currency name"),
                 Num("currencydecimals").req().len(1, 1).desc("Currency accounting decimal precision, 0 to 8"),
                 Num("displaydecimals").req().len(1, 1).desc("Currency display decimal precision, 0 to 8"),
                 P("issuername").len(1, 12)
                     .desc("Issuer name (lowercase), required when creating the first extended currency"),
                 P("referencecurrency").len(3, 3).fmt(Format::CurrencyCode)
                     .desc("Reference currency: an existing base currency accepted at par value")},
      .command = "currency extended create",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/bridge/create",
      .summary = "Create a new bridge currency for active profile",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = {P("parentcurrency").req().len(5, 16).fmt(Format::Currency)
                     .desc("Parent currency: an existing extended currency of the current profile"),
                 P("bridgename").req().len(1, 15).desc("Bridge name, a valid instantiated bridge"),
                 P("issueraddress").req().len(10, 60).desc("Issuer address"),
                 Bool("enablewithdraw").req().desc("If true, will enable withdraw for the new currency"),
                 Bool("enabledeposit").req().desc("If true, will enable deposit for the new currency")},
      .command = "currency bridge create",
      .notes = "The spec's table lists issueraddress twice: declared once. issueraddress: the spec's 10-40 "
               "cannot hold a Stellar account id (56 characters): 10-60, as currency/issueiou.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/issue",
      .summary = "\"Create\" money and add it to the currency creator's wallet",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = create_rights(),
      .params = {P("currencycode").req().len(3, 20).fmt(Format::Currency)
                     .desc("Currency code; the issuer name is appended (ZZZ becomes ZZZ.issuername)"),
                 P("amount").req().len(1, 12).fmt(Format::Amount).desc("Amount of currency to create")},
      .command = "currency issue",
      .notes = "currencycode: the spec's table says 5-20 characters but its own example is \"ZZZ\" (3): 3-20.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/issueiou",
      .summary = "Issue some IOUs on a network, from one address to another",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = create_rights(),
      .params = {P("network").req().len(1, 25).desc("A valid network name, supported by a bridge (ripple for now)"),
                 P("issueraddress").req().len(6, 60)
                     .desc("The issuer address: known to the system, with its secret key, and funded"),
                 P("receiveraddress").req().len(6, 60).desc("The receiver address, can be the hot wallet address"),
                 Num("receiverdesttag").len(1, 10)
                     .desc("The receiver destination tag, a 32-bit number; absent: none is sent"),
                 P("currencycode").req().len(3, 3).fmt(Format::CurrencyCode)
                     .desc("The currency code, valid on that network (3 char for ripple)"),
                 P("amount").req().len(1, 25).fmt(Format::Amount)
                     .desc("The amount to send to the destination address")},
      .command = "currency issueiou",
      .notes = "Financial: it sends value on an external network with no bookkeeping, so a blind retry "
               "would issue twice (the spec's \"anything that's money related\"). receiverdesttag: the "
               "spec's max 8 digits cannot hold its own \"Valid 32 bits number\" (up to 10 digits): 1-10. "
               "The Idempotency-Key is required (10110 without it); the answer adds transactionhash (our "
               "extension, docs/ripple.md).",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/currency/list",
      .summary = "Get a list of currencies managed by this profile",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = list_rights(),
      .command = "currency list",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/address/create",
      .summary = "Creates a receiving address, and adds the profile address extended attribute to the profile",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = profileaddress_params(),
      .command = "currency address create",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/profileaddress/create",
      .summary = "Creates a receiving address, and adds the profile address extended attribute to the profile",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = profileaddress_params(),
      .command = "currency profileaddress create",
      .notes = "The spec's alternate spelling (its heading) of POST /currency/address/create, kept working.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/currency/address",
      .summary = "List all profile addresses and required trust lines for default or specific profile",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = list_rights(),
      .command = "currency address list",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/currency/{upid}/address",
      .summary = "List all profile addresses and required trust lines for default or specific profile",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = list_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID"))},
      .command = "currency address list",
      .owner = Owner{Object::Profile, "upid", {"listmycurrencies", "createcurrency"}, {"readchildprofile"},
                     {"readallprofiles"}, {}},
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/address/trustline",
      .summary = "Create a trust line associated with an address and a currency",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = {P("bridgename").req().len(2, 15).desc("Bridge name, instantiated in the system"),
                 P("hostedaddress").req().len(10, 60).desc("Receiving address"),
                 P("trustedaddress").req().len(10, 60).desc("Issuing address"),
                 P("currencycode").req().len(3, 3).fmt(Format::CurrencyCode).desc("3 letters currency code"),
                 P("amount").req().len(1, 20).fmt(Format::Amount).desc("Trust line amount")},
      .command = "currency address trustline",
      .notes = "hostedaddress, trustedaddress: the spec's 10-40 cannot hold a Stellar account id (56 "
               "characters): 10-60, as currency/issueiou.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/currency/address/attribute",
      .summary = "Set the attributes (destination tag required flag) of a profile address",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = create_rights(),
      .params = {P("bridgename").req().len(2, 15).desc("Bridge name, instantiated in the system"),
                 P("address").req().len(10, 60).desc("The address to modify"),
                 Bool("destinationtagrequired").desc("Sets destination required flag")},
      .command = "currency address attribute",
      .notes = "The spec's one-line description repeats that of /currency/address/create; the summary here "
               "says what the parameters do. address: 10-60 (a Stellar account id is 56 characters). On "
               "Stellar the flag is SEP-29's config.memo_required.",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/currency/list",
      .summary = "Get a list of currencies supported by the system",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .command = "system currency list",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/currency/bridge/create",
      .summary = "Create a new bridge currency for use system wide",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {P("parentcurrency").req().len(3, 30).fmt(Format::Currency).desc("Parent currency"),
                 P("bridgename").req().len(1, 15).desc("Bridge name (only ripple is used for now)"),
                 P("issuername").req().len(1, 25).desc("Issuer name"),
                 P("issueraddress").req().len(1, 60).desc("Issuer address"),
                 Bool("enabledeposit").desc("Is deposit enabled for this currency"),
                 Bool("enablewithdraw").desc("Is withdraw enabled for this currency")},
      .command = "system currency bridge create",
      .notes = "issueraddress: the spec's 1-25 cannot hold a Ripple address (25-35 characters, e.g. its own "
               "\"rpmGcKEqTFDHd3tvAWFENNLhy2HMy7Yj89\") nor a Stellar account id (56): 1-60.",
  });
}

}  // namespace og::catalog::entries

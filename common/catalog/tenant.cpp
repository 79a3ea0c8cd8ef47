// The tenant API v4.4.0 (second spec): its 2 new and 8 modified endpoints, in the release
// notes' order. Its own paths and its own error style (HTTP status + {"errors":[...]}).
// Parameters are the top-level fields of each request body; nested fields
// (incorporationDocs.documentType, ...) belong to their top-level object.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

// The card holder identifiers shared by the card endpoints.
void card_holder(std::vector<Param>& ps) {
  ps.push_back(P("walletAddress").desc("Wallet address of the card holder"));
  ps.push_back(P("customNameSpace").desc("Custom namespace of the card holder"));
  ps.push_back(P("nameSpace").desc("Namespace of the card holder"));
}

std::vector<Param> fund_params() {
  return {Num("amount").req().desc("Amount to deposit"),
          P("namespace").req().desc("Namespace of the user account"),
          P("successUrl").fmt(Format::Url).desc("Where to send the user after a successful payment"),
          P("failureUrl").fmt(Format::Url).desc("Where to send the user after a failed payment"),
          P("cancelUrl").fmt(Format::Url).desc("Where to send the user after a cancelled payment"),
          P("ipAddress").len(1, 45).desc("IP address of the user"),
          P("token").desc("Token (currency) to deposit, e.g. THAI")};
}

}  // namespace

void tenant(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Patch,
      .path = "/tenant/business-user/{businessUserId}",
      .summary = "Update business details",
      .component = Component::Tenant,
      .access = Access::Write,
      .params = {path(P("businessUserId").desc("Business user ID (a UUID)")),
                 P("businessUserLegalName").desc("Business User legal name"),
                 P("domain").desc("Business User domain"),
                 P("accountAddress").desc("Account Address (immutable: a different value is refused)"),
                 P("businessUserName").desc("Business User name"),
                 P("customNamespace").desc("Custom namespace for business user"),
                 P("provider").desc("Custom namespace provider, e.g. ens"),
                 Obj("businessUserAddress").desc("Business user address"),
                 P("businessEntityName").desc("Business Entity Name"),
                 P("businessEntityId").desc("Business entity identifier sent to compliance"),
                 Obj("incorporationDocs").desc("Incorporation document: documentType, fileName, content, countryCode"),
                 Obj("jurisdictionDocs").desc("Jurisdiction document: documentType, fileName, content, countryCode"),
                 Arr("otherDocs").desc("Documents of business user"),
                 Arr("entityBeneficialOwners").desc("Entity Beneficial Owners of business user"),
                 Arr("individualBeneficialOwners").desc("Individual Beneficial Owners of business user"),
                 Obj("memoFields").desc("Memo: name, value"),
                 P("bankVerificationNumber").desc("Bank Verification Number of business user"),
                 P("businessUserEmail").fmt(Format::Email).desc("Business User email"),
                 P("taxId").desc("Tax ID for business user"),
                 P("phoneNumber").desc("Phone number of business user"),
                 Obj("controlPersons").desc("Control person: title, identification, documents, address, tax..."),
                 Obj("registeredOfficeAddress").desc("Registered office address"),
                 Obj("proofOfAddress").desc("Proof of address document"),
                 Arr("signatories").desc("List of signatories"),
                 Arr("governingDocuments").desc("Governing documents"),
                 P("clientToken").desc("Token which client want to use"),
                 P("badgeId").desc("Identification badge Id with business user group")},
      .command = "tenant business-user update",
      .notes = "Every top-level field is optional (a partial update); the \"Yes\" of nested fields "
               "(incorporationDocs.fileName, ...) applies when their object is present and is checked by the "
               "handler. memoFields and controlPersons are objects, as in the example.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/onchain-preauth/{invoiceId}/cancel",
      .summary = "Cancel preauthorization",
      .component = Component::Tenant,
      .access = Access::Write,
      .params = {path(P("invoiceId").desc("Invoice identifier, e.g. INV-1001"))},
      .command = "tenant onchain-preauth cancel",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/tenant/customer/balance",
      .summary = "Get customer balance and pending settlements",
      .component = Component::Tenant,
      .access = Access::Read,
      .params = {query(P("identifierType").req().one_of({"namespace", "customNamespace", "accountAddress"})
                           .desc("The type of unique identifier used to look up the customer's account")),
                 query(P("identifierValue").req()
                           .desc("The value associated with the chosen identifierType"))},
      .command = "tenant customer balance",
  });
  {
    std::vector<Param> ps = {Bool("block").req().desc("true: block the card, false: unblock it"),
                             P("reason").req().desc("Reason of the status change")};
    card_holder(ps);
    ps.push_back(P("cardId").desc("Card Id of card"));
    out.push_back({
        .method = Method::Patch,
        .path = "/cards/block-unblock",
        .summary = "Change the status of a debit card (e.g. block, unblock)",
        .component = Component::Tenant,
        .access = Access::Write,
        .params = std::move(ps),
        .command = "tenant cards block-unblock",
        .notes = "block and reason are required: \"The status code and reason must be provided\".",
    });
  }
  {
    std::vector<Param> ps = {P("reason").desc("Reason of the report")};
    card_holder(ps);
    ps.push_back(P("reportDate").fmt(Format::Date).desc("Date of the report (YYYY-MM-DD)"));
    ps.push_back(P("cardId").desc("Card Id of card"));
    out.push_back({
        .method = Method::Post,
        .path = "/cards/report/lost",
        .summary = "Report a debit card as lost",
        .component = Component::Tenant,
        .access = Access::Write,
        .params = ps,
        .command = "tenant cards report-lost",
    });
    out.push_back({
        .method = Method::Post,
        .path = "/cards/report/stolen",
        .summary = "Report a debit card as stolen",
        .component = Component::Tenant,
        .access = Access::Write,
        .params = std::move(ps),
        .command = "tenant cards report-stolen",
    });
  }
  {
    std::vector<Param> ps;
    card_holder(ps);
    ps.push_back(P("cardProductId").req().desc("Selected card product ID"));
    ps.push_back(P("tokenSymbol").desc("Token symbol (deprecated in v4.4.0, ignored)"));
    out.push_back({
        .method = Method::Post,
        .path = "/cards/request-card",
        .summary = "Request a new debit card",
        .component = Component::Tenant,
        .access = Access::Write,
        .params = std::move(ps),
        .command = "tenant cards request-card",
        .notes = "tokenSymbol is deprecated in v4.4.0: still accepted so that v4.3 clients keep working, "
                 "and ignored.",
    });
  }
  out.push_back({
      .method = Method::Post,
      .path = "/consent/accept-consent",
      .summary = "Accept customer or tenant consent",
      .component = Component::Tenant,
      .access = Access::Write,
      .params = {P("customerAccountId").desc("Customer account ID (absent: the tenant's own consent)"),
                 P("dssVendorId").desc("Vendor the consent is given to"),
                 P("consentStatus").desc("Consent status, e.g. ACCEPTED"),
                 P("consentVersion").desc("Version of the consent text"),
                 P("type").one_of({"ACH", "Credit Card", "Debit Card", "Digital Payment", "KYB Partner"})
                     .desc("Type of payment or account method the consent relates to")},
      .command = "tenant consent accept-consent",
      .notes = "The release notes do not say which fields are required (\"Required fields are missing\" is a "
               "400): none is required here, the handler decides.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/digital-wallet/deposit",
      .summary = "Deposit via digital wallet into the user account",
      .component = Component::Tenant,
      .access = Access::Write,
      .params = fund_params(),
      .command = "tenant digital-wallet deposit",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/transaction/add-fund",
      .summary = "Fetch Add-Fund URL for wallet user account",
      .component = Component::Tenant,
      .access = Access::Write,
      .params = fund_params(),
      .command = "tenant transaction add-fund",
  });
}

}  // namespace og::catalog::entries

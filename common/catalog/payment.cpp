// Spec section: payments (/payment...): payment requests, accept/refuse, merchant info.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

// A payer reads the request it is about to accept (initiatetransfer); the handler limits
// it to requests addressed to the caller's wallets.
std::vector<std::string_view> read_rights() { return {"managepaymentrequest", "getpaymentlist", "initiatetransfer"}; }

}  // namespace

void payment(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/payment/request",
      .summary = "Create a payment request",
      .component = Component::Omnipay,
      .access = Access::Write,
      .financial = true,
      .rights = {"createpaymentrequest"},
      .params = {P("amount").req().len(1, 20).fmt(Format::Amount).desc("Amount required to clear the payment request"),
                 P("currency").req().len(3, 16).fmt(Format::Currency)
                     .desc("Currency required to clear the payment request; funds are deposited in it"),
                 P("method").req().len(3, 16).one_of({"ripple", "bitcoin", "applepay", "wallet"})
                     .desc("Payment method"),
                 P("sourcewaid").len(21, 21).fmt(Format::Waid)
                     .desc("If known, source wallet ID (required for Apple Pay and wallet methods)"),
                 P("referenceid").len(4, 64).desc("ID provided by your system for internal reference"),
                 P("destinationwaid").len(21, 21).fmt(Format::Waid)
                     .desc("If present will deposit the funds into specified wallet"),
                 P("clerkname").len(4, 30).desc("Name of the clerk (if any)"),
                 P("creatoruuid").len(21, 21).fmt(Format::Uuid)
                     .desc("UUID (user id) of the clerk that created this payment request")},
      .command = "payment request",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/payment/{prid}",
      .summary = "Get a payment status",
      .component = Component::Omnipay,
      .access = Access::Read,
      .rights = read_rights(),
      .params = {path(P("prid").len(21, 21).fmt(Format::Prid).desc("Payment request ID"))},
      .command = "payment get",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/payment/transactionlist",
      .summary = "Get list of payment transactions",
      .component = Component::Omnipay,
      .access = Access::Read,
      .rights = read_rights(),
      .command = "payment transactionlist",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/payment/accept",
      .summary = "Accept a payment notification from a remote platform, or local to this platform",
      .component = Component::Omnipay,
      .access = Access::Write,
      .financial = true,
      .rights = {"initiatetransfer", "managepaymentrequest"},
      .params = {P("prid").req().len(21, 21).fmt(Format::Prid).desc("Payment request id"),
                 P("currency").req().len(3, 3).fmt(Format::CurrencyCode)
                     .desc("The currency code used for that payment"),
                 P("method").req().len(1, 20).one_of({"applepay", "wallet"}).desc("Payment method"),
                 P("totalamount").req().len(1, 20).fmt(Format::Amount)
                     .desc("The amount debited from the user wallet (invoice amount + tip)"),
                 Obj("paymentprocessorinformation").len(2, 20000).hidden()
                     .desc("Data specific to the method or payment processor")},
      .command = "payment accept",
      .notes = "method: the spec's table says 20-20 characters, which neither of its values (\"applepay\", "
               "\"wallet\") can meet: 1-20. paymentprocessorinformation carries card data: masked.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/payment/refuse",
      .summary = "Refuse a payment notification from a remote platform, or local to this platform",
      .component = Component::Omnipay,
      .access = Access::Write,
      .rights = {"initiatetransfer", "managepaymentrequest"},
      .params = {P("prid").req().len(21, 21).fmt(Format::Prid).desc("Payment Request ID")},
      .command = "payment refuse",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/payment/merchantinfo",
      .summary = "Update Stripe merchant information in order to activate that merchant on Stripe",
      .component = Component::Omnipay,
      .access = Access::Write,
      .rights = {"managemerchants", "managepaymentrequest"},
      .params = {Bool("accepttos").req().desc("Acceptance of the term of service, must be true"),
                 P("firstname").req().len(1, 20).desc("First name"),
                 P("lastname").req().len(1, 20).desc("Last name"),
                 P("dateofbirth").req().len(10, 10).fmt(Format::Date).desc("Date of birth (YYYY-MM-DD)"),
                 P("city").req().len(1, 20).desc("City name"),
                 P("address").req().len(1, 20).desc("Address line 1"),
                 P("postalcode").req().len(1, 20).desc("Postal code"),
                 P("state").req().len(2, 2).desc("State or province code (2 characters)"),
                 Num("ssnlast4").len(1, 4)
                     .desc("4 last digits of the social security number (required for individual)"),
                 P("entitytype").req().len(7, 7).one_of({"company"}).desc("Type of merchant"),
                 P("businessname").req().len(2, 30).desc("Business name"),
                 P("businesstaxid").req().len(9, 15).desc("Business tax ID")},
      .command = "payment merchantinfo",
      .notes = "firstname, lastname, city, address, postalcode: the spec's 20-20 contradicts its example "
               "(\"John\", \"Montreal\"...): 1-20. businesstaxid: 9-9 contradicts the example "
               "\"1234567890TQ001\" (15): 9-15. ssnlast4 is a JSON number, which drops leading zeros: 1-4 "
               "digits, the handler left-pads to 4.",
  });
}

}  // namespace og::catalog::entries

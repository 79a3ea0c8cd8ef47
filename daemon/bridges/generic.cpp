#include "daemon/bridges/generic.h"

#include "daemon/ledger/queries.h"

namespace og::bridges {

const AccountSchema& generic_schema() {
  static const AccountSchema schema{
      .identifier = "accountid",
      .attributes = {
          {.name = "accountid", .label = "Account ID at the adapter", .type = "string", .masked = false, .required = true},
          {.name = "holder", .label = "Account holder", .type = "string", .masked = false, .required = false},
          {.name = "currency", .label = "Currency held", .type = "string", .masked = false, .required = false},
          {.name = "secret", .label = "Adapter credential", .type = "string", .masked = true, .required = false},
      }};
  return schema;
}

namespace {

class Generic final : public Bridge {
 public:
  using Bridge::Bridge;
  std::string default_description() const override { return "Generic adapter bridge"; }
  const AccountSchema& schema() const override { return generic_schema(); }
  Delivery delivery() const override { return Delivery::Pull; }
  // The wallet's shortcode: a reference an external party quotes with a transfer.
  std::string deposit_address(pqxx::work&, const ledger::WalletRow& w) override {
    return instance() == 1 ? "GEN-" + w.shortcode : "GEN" + std::to_string(instance()) + "-" + w.shortcode;
  }
};

}  // namespace

std::unique_ptr<Bridge> make_generic(InstanceSettings settings) { return std::make_unique<Generic>(std::move(settings)); }

}  // namespace og::bridges

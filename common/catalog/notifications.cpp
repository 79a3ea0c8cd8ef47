// Spec section: notification transports (/notifications/transports...).
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

std::vector<std::string_view> read_rights() { return {"readmyprofile", "readchildprofile", "readallprofiles"}; }
std::vector<std::string_view> write_rights() {
  return {"modifymyprofile", "modifychildprofile", "modifyallprofiles"};
}

}  // namespace

void notifications(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/notifications/transports",
      .summary = "Add a new transport to a UPID/AKID or UPID/UUID pair",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = write_rights(),
      .params = {P("upid").req().len(21, 21).fmt(Format::Upid).desc("Universal Profile ID"),
                 P("uuid").len(21, 21).fmt(Format::Uuid).desc("Universal User ID"),
                 P("akid").len(21, 21).fmt(Format::Akid).desc("API Key ID"),
                 P("transporttype").req().len(4, 6).one_of({"mobile", "http"}).desc("Transport Type"),
                 P("deviceid").len(1, 200).desc("Device Universal Unique ID. Required when transporttype is mobile"),
                 Obj("transport").req().len(2, 20000)
                     .desc("Transport object: platform, name, eventlist (mobile) or url, eventlist (http)")},
      .command = "notifications transports create",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/notifications/transports/{upid}",
      .summary = "Get a list of transports for all UPID/AKID and UPID/UUID pairs by UPID",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Universal Profile ID"))},
      .command = "notifications transports list",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/notifications/transports/{upid}/{uuid}",
      .summary = "Get a list of transports for a specific UPID/UUID pair",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Universal Profile ID")),
                 path(P("uuid").len(21, 21).fmt(Format::Uuid).desc("Universal User ID"))},
      .command = "notifications transports get",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/notifications/transports/{upid}/{akid}",
      .summary = "Get a list of transports for a specific UPID/AKID pair",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Universal Profile ID")),
                 path(P("akid").len(21, 21).fmt(Format::Akid).desc("API Key ID"))},
      .command = "notifications transports get",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/notifications/transports/update",
      .summary = "Update a notification transport using a NTID",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = write_rights(),
      .params = {P("ntid").req().len(21, 21).fmt(Format::Ntid).desc("Notification Transport ID"),
                 Obj("transport").req().len(2, 20000).desc("Transport")},
      .command = "notifications transports update",
      .notes = "The spec's table marks neither parameter required; both are, since the call updates the "
               "transport of the given NTID.",
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/notifications/transports/{ntid}",
      .summary = "Delete a notification transport by NTID",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = write_rights(),
      .params = {path(P("ntid").len(21, 21).fmt(Format::Ntid).desc("Notification Transport ID"))},
      .command = "notifications transports delete",
      .notes = "Declared before DELETE .../{deviceid} (the spec lists it second): the router tries same-shaped "
               "paths in catalog order, and deviceid, having no format, matches anything.",
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/notifications/transports/{deviceid}",
      .summary = "Delete a notification transport by device ID",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = write_rights(),
      .params = {path(P("deviceid").len(1, 200).desc("Device Universal Unique ID"))},
      .command = "notifications transports delete",
  });
}

}  // namespace og::catalog::entries

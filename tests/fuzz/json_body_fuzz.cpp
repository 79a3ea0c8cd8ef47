// Request bodies through catalog validation, as daemon/http/pipeline.cpp reads them: the
// JSON body is parsed (depth limit, duplicate keys refused, an object required), the
// query string parsed, then validation::validate(endpoint, inputs, ...) runs.
//
// Input: line 1 chooses the endpoint (an exact catalog key such as
// "POST /api/v1/wallet/transfer", else a hash of the line picks one); line 2 is the query
// string; line 3 the path parameters (name=value&..., as the router would have decoded
// them); the rest is the body. An SSO endpoint's body that does not start with '{' is read
// as a form (application/x-www-form-urlencoded), as /auth/token receives it.
//
// Invariants: no exception escapes validation; what validation accepts holds only the
// endpoint's parameters, every required one, each of its catalog type; and it is a fixed
// point: the normalised parameters, sent again, validate to themselves.
//
// The body parsers are the pipeline's own (daemon/http/body.h).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/catalog/catalog.h"
#include "common/json.h"
#include "common/validation.h"
#include "daemon/http/body.h"
#include "daemon/http/router.h"
#include "tests/fuzz/fuzz_support.h"

using og::Json;
using og::Rc;
namespace catalog = og::catalog;
namespace validation = og::validation;
using og::http::parse_form_body;
using og::http::parse_json_body;
using og::http::ParsedBody;

namespace {

constexpr std::size_t kMaxJsonDepth = 64;  // PipelineOptions::max_json_depth


const catalog::Endpoint& choose_endpoint(std::string_view line) {
  if (const catalog::Endpoint* ep = catalog::find(line)) return *ep;
  auto all = catalog::all();
  std::size_t h = 0;
  for (char c : line) h = h * 31 + static_cast<unsigned char>(c);
  return all[h % all.size()];
}

bool has_type(const catalog::Param& p, const Json& v) {
  switch (p.type) {
    case catalog::Type::String: return v.is_string();
    case catalog::Type::Boolean: return v.is_boolean();
    case catalog::Type::Number: return v.is_number_integer();
    case catalog::Type::Array: return v.is_array();
    case catalog::Type::Object: return v.is_object();
  }
  return false;
}

std::optional<validation::Error> run_validate(const catalog::Endpoint& ep, const validation::Inputs& in, Json& out) {
  try {
    return validation::validate(ep, in, out, ep.handler_reports_errors);
  } catch (const std::exception& e) {
    // The pipeline would answer 10003 (system error) to a bad request: a bug.
    FUZZ_CHECK_MSG(false, std::string("validate threw: ") + e.what());
  }
  return std::nullopt;
}

void check_accepted(const catalog::Endpoint& ep, const validation::Inputs& in, const Json& out) {
  FUZZ_CHECK(out.is_object());
  for (const auto& [key, value] : out.items()) {
    const catalog::Param* p = ep.param(key);
    FUZZ_CHECK_MSG(p != nullptr, key);
    FUZZ_CHECK_MSG(has_type(*p, value), key);
  }
  for (const catalog::Param& p : ep.params)
    if (p.required) FUZZ_CHECK_MSG(out.contains(std::string(p.name)), std::string(p.name));

  // Fixed point: send the normalised parameters again, each where it travels.
  Json body = Json::object();
  validation::Inputs again;
  for (const auto& [key, value] : out.items()) {
    const catalog::Param* p = ep.param(key);
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    switch (p->in) {
      case catalog::In::Body: body[key] = value; break;
      case catalog::In::Query: again.query[key] = text; break;
      case catalog::In::Path: again.path[key] = text; break;
    }
  }
  if (in.body) again.body = &body;
  Json out2;
  auto err = run_validate(ep, again, out2);
  FUZZ_CHECK_MSG(!err, err->param + ": " + err->detail);
  FUZZ_CHECK_MSG(out2 == out, out.dump() + " then " + out2.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = og::fuzz::as_text(data, size);
  const catalog::Endpoint& ep = choose_endpoint(og::fuzz::take_line(rest));
  std::string_view query = og::fuzz::take_line(rest);
  std::string_view path = og::fuzz::take_line(rest);
  std::string_view body_text = rest;

  validation::Inputs inputs;
  if (!query.empty()) {
    auto q = og::http::parse_query(query);
    if (!q) return 0;  // the pipeline answers "malformed or repeated query parameter"
    inputs.query = std::move(*q);
  }
  if (auto p = og::http::parse_query(path)) inputs.path = std::move(*p);

  std::optional<Json> body;
  const bool takes_body = ep.method != catalog::Method::Get;
  if (takes_body && !body_text.empty()) {
    const bool form = ep.style() == catalog::Style::Sso && body_text.front() != '{';
    // Nothing may escape (corpus/json_body/regression-number-overflow-1e400: nlohmann's
    // out_of_range once did, and the pipeline answered 10003).
    ParsedBody parsed = form ? parse_form_body(body_text) : parse_json_body(body_text, kMaxJsonDepth);
    if (parsed.error) {
      FUZZ_CHECK(parsed.error->rc == Rc::MalformedJson && !parsed.json);
      return 0;
    }
    FUZZ_CHECK(parsed.json && parsed.json->is_object());
    body = std::move(parsed.json);
  } else if (takes_body) {
    body = Json::object();
  }
  inputs.body = body ? &*body : nullptr;

  Json params;
  auto invalid = run_validate(ep, inputs, params);
  if (invalid) {
    FUZZ_CHECK(invalid->rc != Rc::Ok);
    return 0;
  }
  check_accepted(ep, inputs, params);
  return 0;
}

#pragma once
// The modules' side of the handler interface: Call, Reply, Registry and the rest live in the
// neutral layer daemon/api/ (shared with the pipeline in daemon/http/); this header adds
// what only modules use. Modules include this, never daemon/http/.

#include <functional>

#include "daemon/api/call.h"
#include "daemon/api/form.h"
#include "daemon/api/principal.h"
#include "daemon/api/registry.h"
#include "daemon/api/request.h"

namespace og {

// Most handlers are plain functions: Reply f(App&, Call&).
Handler blocking(std::function<Reply(App&, Call&)> fn);

// Every module's handlers, bound in one place (daemon/modules/registry.cpp).
void register_all(Registry& r);

// The names these had when they lived in daemon/http/ (api::Principal, api::sv, ...), so
// that code written against them keeps compiling. New code writes api::.
namespace http {
namespace bhttp = api::bhttp;
using api::api_key_hash_hex;
using api::AuthResult;
using api::looks_like_api_key;
using api::parse_query;
using api::percent_decode;
using api::Principal;
using api::Request;
using api::RequestInfo;
using api::sv;
using api::TokenVerifier;
}  // namespace http

}  // namespace og

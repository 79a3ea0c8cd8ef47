#include "common/result_codes.h"

#include <array>

namespace og {
namespace {

constexpr std::array kTable{
    ResultCodeInfo{Rc::Ok, "OK", "Ok", 200, false, "The call succeeded."},
    ResultCodeInfo{Rc::Maintenance, "MAINTENANCE_IN_PROGRESS", "Maintenance in progress", 503, true,
                   "The platform is under maintenance. Retry after 10 s, at most twice."},
    ResultCodeInfo{Rc::TooBusy, "TOO_BUSY", "The platform is currently over capacity", 503, true,
                   "Over capacity. Retry after 10 s, at most twice."},
    ResultCodeInfo{Rc::SystemError, "SYSTEM_ERROR", "An internal error occurred", 500, true,
                   "An internal error. Retry after 10 s, at most twice, but never blindly for a "
                   "financial operation: check the transaction list first, or resend with the "
                   "same Idempotency-Key. When the database cannot be reached the answer is HTTP "
                   "503 with Retry-After instead of 500 (a temporary condition; nothing was done)."},
    ResultCodeInfo{Rc::TooFast, "TOO_FAST", "Too many requests, slow down", 429, true,
                   "The credential's rate limit was exceeded, or too many logins or authentications "
                   "failed from this address. Retry after 5 s (or the Retry-After header), at most twice."},

    ResultCodeInfo{Rc::UnknownEndpoint, "UNKNOWN_ENDPOINT", "No such endpoint", 404, false,
                   "No endpoint has this path. The message repeats the method and path."},
    ResultCodeInfo{Rc::MethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed", 405, false,
                   "The path exists but not with this HTTP method; the Allow header lists the "
                   "methods it has."},
    ResultCodeInfo{Rc::MalformedJson, "MALFORMED_JSON", "Malformed JSON body", 400, false,
                   "The body is not a JSON object. The message says where parsing stopped."},
    ResultCodeInfo{Rc::UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                   "Content-Type must be application/json", 415, false,
                   "A body was sent with a Content-Type other than application/json."},
    ResultCodeInfo{Rc::BodyTooLarge, "BODY_TOO_LARGE", "Request body too large", 413, false,
                   "The body is larger than the server's limit (server.max_body_bytes)."},
    ResultCodeInfo{Rc::HeadersTooLarge, "HEADERS_TOO_LARGE", "Request headers too large", 431,
                   false, "The request line and headers exceed server.max_header_bytes."},
    ResultCodeInfo{Rc::BadHttpRequest, "BAD_HTTP_REQUEST", "Malformed HTTP request", 400, false,
                   "The request is not valid HTTP/1.1."},

    ResultCodeInfo{Rc::MissingParameter, "MISSING_PARAMETER", "Missing parameter", 400, false,
                   "A required parameter is absent; the message names it."},
    ResultCodeInfo{Rc::BadLength, "BAD_LENGTH", "Parameter length out of bounds", 400, false,
                   "A parameter is shorter or longer than the specification allows; the message "
                   "names it and gives the bounds."},
    ResultCodeInfo{Rc::BadType, "BAD_TYPE", "Parameter has the wrong type", 400, false,
                   "A parameter has the wrong JSON type (e.g. a number where a string is "
                   "expected); the message names it and the expected type."},
    ResultCodeInfo{Rc::BadValue, "BAD_VALUE", "Parameter value not accepted", 400, false,
                   "A parameter has the right type and length but a value that is not accepted "
                   "(not in the list of accepted values, a malformed identifier, amount, e-mail "
                   "address, ...); the message names it."},
    ResultCodeInfo{Rc::UnknownParameter, "UNKNOWN_PARAMETER", "Unknown parameter", 400, false,
                   "The request carries a parameter this endpoint does not take (often a typo); "
                   "the message names it."},

    ResultCodeInfo{Rc::NotAuthenticated, "NOT_AUTHENTICATED", "Authentication required", 401,
                   false, "No X-APIKey or Authorization: Bearer header was sent."},
    ResultCodeInfo{Rc::InvalidCredentials, "INVALID_CREDENTIALS", "Invalid credentials", 401,
                   false, "The API key or token is unknown, revoked, expired or malformed."},
    ResultCodeInfo{Rc::Forbidden, "FORBIDDEN", "Forbidden", 403, false,
                   "The credential is valid but its roles lack a right this call needs; the "
                   "message names the rights that would allow it."},

    ResultCodeInfo{Rc::NotImplemented, "NOT_IMPLEMENTED", "Not implemented", 501, false,
                   "The endpoint is in the catalog but this version of omnid cannot do its job "
                   "yet. README.md lists these endpoints. Nothing was changed."},
    ResultCodeInfo{Rc::NotAvailable, "NOT_AVAILABLE", "Not available", 501, false,
                   "The endpoint needs a bridge or processor that is not configured on this "
                   "platform (e.g. the Ripple bridge). Nothing was changed."},
    ResultCodeInfo{Rc::ComponentLocked, "COMPONENT_LOCKED", "Component locked", 503, false,
                   "The component (omnipass, omnibridge, omnipay) is locked after a restart; "
                   "unlock it with the application password (omnictl unlock)."},

    ResultCodeInfo{Rc::NotFound, "NOT_FOUND", "Not found", 404, false,
                   "The resource named by the request does not exist or is not visible to the "
                   "caller."},
    ResultCodeInfo{Rc::AlreadyExists, "ALREADY_EXISTS", "Already exists", 409, false,
                   "The resource to create exists already."},

    ResultCodeInfo{Rc::IdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED",
                   "Idempotency-Key already used with a different request", 422, false,
                   "The Idempotency-Key was used before with another method, path or body. "
                   "Nothing was changed; use a new key for a new operation."},
    ResultCodeInfo{Rc::IdempotencyInProgress, "IDEMPOTENCY_IN_PROGRESS",
                   "A request with this Idempotency-Key is still being processed", 409, true,
                   "Another request with the same key has not finished. Retry later with the same "
                   "key to get its answer."},

    ResultCodeInfo{Rc::InsufficientFunds, "INSUFFICIENT_FUNDS", "Insufficient funds", 409, false,
                   "The source wallet's available balance in that currency is lower than the amount. "
                   "Nothing was moved."},
    ResultCodeInfo{Rc::NotPending, "NOT_PENDING", "Transaction is not pending", 409, false,
                   "The transaction was closed already (Completed, Failed or Canceled); closing it again "
                   "changes nothing."},

    ResultCodeInfo{Rc::MfaRequired, "MFA_REQUIRED", "Multi-factor authentication code required", 401, false,
                   "The e-mail and password are right and the account has MFA enabled: send mfacode too."},
    ResultCodeInfo{Rc::MfaInvalid, "MFA_INVALID", "Invalid multi-factor authentication code", 401, false,
                   "The code is wrong, too old, or was used already (each code is accepted once)."},
    ResultCodeInfo{Rc::AccountNotActive, "ACCOUNT_NOT_ACTIVE", "Account not active", 403, false,
                   "The account has not confirmed its e-mail address yet (POST /api/v1/user/activate sends the "
                   "link again), or it was deactivated."},
    ResultCodeInfo{Rc::WrongApplicationPassword, "WRONG_APPLICATION_PASSWORD", "Wrong application password", 403,
                   false,
                   "The password given to unlock a component is not the application password of this "
                   "installation. Nothing was unlocked; the attempt is audited, and repeated failures from one "
                   "address are slowed down (10004 TOO_FAST with Retry-After)."},
};

}  // namespace

std::span<const ResultCodeInfo> all_result_codes() { return kTable; }

const ResultCodeInfo* find_result_code(int c) {
  for (const auto& e : kTable)
    if (code(e.rc) == c) return &e;
  return nullptr;
}

const ResultCodeInfo& info(Rc rc) {
  if (const auto* e = find_result_code(code(rc))) return *e;
  return *find_result_code(code(Rc::SystemError));
}

std::string result_message(Rc rc, std::string_view detail) {
  std::string msg(info(rc).message);
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  }
  return msg;
}

std::string result_codes_markdown() {
  std::string out =
      "<!-- Generated from common/result_codes.cpp by `omnictl __generate result-codes`. "
      "Do not edit. -->\n"
      "# Result codes\n\n"
      "Every answer of the Omnigate API carries `resultcode` and `resultmessage`. The HTTP "
      "status is set as well, but clients should rely on `resultcode`. Codes 10000-10004 are "
      "reserved by the specification; the rest are omnid's own. This table is append-only: a "
      "number is never reused.\n\n"
      "| code | token | HTTP | retry | message | meaning |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& e : kTable) {
    out += "| " + std::to_string(code(e.rc)) + " | `" + std::string(e.token) + "` | " +
           std::to_string(e.http_status) + " | " + (e.retry ? "yes" : "no") + " | " +
           std::string(e.message) + " | " + std::string(e.description) + " |\n";
  }
  return out;
}

}  // namespace og

#pragma once
// The one table of result codes. Append-only: a number, once published, is never
// reused or given another meaning. docs/result-codes.md is generated from it.

#include <span>
#include <string>
#include <string_view>

namespace og {

enum class Rc : int {
  // Reserved by the specification.
  Ok = 10000,
  Maintenance = 10001,
  TooBusy = 10002,
  SystemError = 10003,
  TooFast = 10004,

  // The request as a whole.
  UnknownEndpoint = 10100,
  MethodNotAllowed = 10101,
  MalformedJson = 10102,
  UnsupportedMediaType = 10103,
  BodyTooLarge = 10104,
  HeadersTooLarge = 10105,
  BadHttpRequest = 10106,

  // Parameters (the message names the parameter).
  MissingParameter = 10110,
  BadLength = 10111,
  BadType = 10112,
  BadValue = 10113,
  UnknownParameter = 10114,

  // Who is calling.
  NotAuthenticated = 10120,
  InvalidCredentials = 10121,
  Forbidden = 10122,

  // What the platform can do right now.
  NotImplemented = 10130,
  NotAvailable = 10131,
  ComponentLocked = 10132,

  // Resources.
  NotFound = 10140,
  AlreadyExists = 10141,

  // Idempotency of financial operations.
  IdempotencyKeyReused = 10150,
  IdempotencyInProgress = 10151,

  // The ledger.
  InsufficientFunds = 10160,
  NotPending = 10161,

  // Omnipass.
  MfaRequired = 10170,
  MfaInvalid = 10171,
  AccountNotActive = 10172,

  // Components and unlock.
  WrongApplicationPassword = 10180,
};

struct ResultCodeInfo {
  Rc rc;
  std::string_view token;        // stable machine name, e.g. "MISSING_PARAMETER"
  std::string_view message;      // resultmessage (a detail may be appended)
  int http_status;               // HTTP status sent with it
  bool retry;                    // the spec's "caller behavior": safe to retry (non-financial)
  std::string_view description;  // for docs/result-codes.md
};

constexpr int code(Rc rc) { return static_cast<int>(rc); }

// Every code, in table order.
std::span<const ResultCodeInfo> all_result_codes();

// The entry for a code; SystemError's entry for an unknown one.
const ResultCodeInfo& info(Rc rc);
const ResultCodeInfo* find_result_code(int code);

// "Missing parameter: amount" — the table's message plus an optional detail.
std::string result_message(Rc rc, std::string_view detail = {});

// Markdown page listing every code (docs/result-codes.md).
std::string result_codes_markdown();

}  // namespace og

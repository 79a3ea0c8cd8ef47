#include "daemon/bridges/horizon/client.h"

#include <cctype>

#include "common/http_client.h"

namespace og::bridges::horizon {

namespace {

std::string form_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Client::Client(std::string url, std::chrono::seconds timeout)
    : url_(std::move(url)),
      timeout_(timeout),
      reads_(std::make_unique<net::Client>()),
      submits_(std::make_unique<net::Client>()) {
  if (!url_.empty() && url_.back() != '/') url_ += '/';
}

Client::~Client() = default;

Reply Client::get(const std::string& path) { return perform(*reads_, read_mu_, "GET", path, ""); }

Reply Client::submit(const std::string& envelope) {
  return perform(*submits_, submit_mu_, "POST", "transactions", "tx=" + form_escape(envelope));
}

Reply Client::perform(net::Client& c, std::mutex& mu, const std::string& method, const std::string& path,
                      const std::string& body) {
  net::HttpRequest req;
  req.method = method;
  req.url = url_ + path;
  req.headers = {{"Accept", "application/json"}};
  if (method == "POST") req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = body;
  req.timeout_ms = static_cast<long>(std::chrono::milliseconds(timeout_).count());
  req.connect_timeout_ms = std::min<long>(req.timeout_ms, 5000);
  net::HttpResult http;
  {
    std::lock_guard lock(mu);
    http = c.perform(req);
  }
  const std::string what = method + " /" + path.substr(0, path.find('?'));
  Reply out;
  if (!http.ok()) {
    out.error = what + ": " + (http.error.empty() ? std::string("no answer") : http.error);
    return out;
  }
  out.status = http.response.status;
  Json j = Json::parse(http.response.body, nullptr, /*allow_exceptions=*/false);
  if (out.status == 404) {
    out.kind = Reply::Kind::NotFound;
    out.error = what + ": not found";
    return out;
  }
  if (!j.is_object()) {
    out.error = what + ": HTTP " + std::to_string(out.status) + ", not a JSON object";
    return out;
  }
  out.body = std::move(j);
  if (out.status == 200) {
    out.kind = Reply::Kind::Ok;
  } else if (out.status >= 400 && out.status < 500 && out.status != 408 && out.status != 429) {
    out.kind = Reply::Kind::Refused;
    out.error = what + ": HTTP " + std::to_string(out.status) +
                (out.body.contains("title") && out.body["title"].is_string() ? " " + out.body["title"].get<std::string>()
                                                                             : std::string());
  } else {
    out.error = what + ": HTTP " + std::to_string(out.status);
  }
  return out;
}

}  // namespace og::bridges::horizon

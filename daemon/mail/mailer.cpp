#include "daemon/mail/mailer.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <system_error>

#include "common/crypto.h"
#include "daemon/log.h"

namespace og::mail {

namespace fs = std::filesystem;

Mailer::~Mailer() = default;

bool MailError::transient() const noexcept {
  switch (kind_) {
    case Kind::Connect:
    case Kind::Timeout: return true;
    case Kind::Rejected: return smtp_code_ >= 400 && smtp_code_ < 500;
    default: return false;
  }
}

std::optional<SmtpSettings::Tls> parse_tls(std::string_view text) {
  if (text == "none") return SmtpSettings::Tls::None;
  if (text == "starttls") return SmtpSettings::Tls::StartTls;
  if (text == "tls" || text == "smtps" || text == "implicit") return SmtpSettings::Tls::Implicit;
  return std::nullopt;
}

std::string_view to_string(SmtpSettings::Tls tls) {
  switch (tls) {
    case SmtpSettings::Tls::None: return "none";
    case SmtpSettings::Tls::StartTls: return "starttls";
    case SmtpSettings::Tls::Implicit: return "tls";
  }
  return "?";
}

namespace {

using Kind = MailError::Kind;

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_atext(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

// Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

bool has_control(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
  }
  return false;
}

bool printable_ascii(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string base64(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 B encoded-words of at most `max_chunk` octets of text each (39 -> 64 characters,
// 45 -> 72; never more than 75), never splitting a UTF-8 sequence, joined by folding
// whitespace (which decoders drop between adjacent encoded-words).
std::string encoded_words(std::string_view text, std::size_t max_chunk = 39) {
  std::string out;
  std::size_t i = 0;
  do {
    std::size_t n = std::min(max_chunk, text.size() - i);
    while (n > 0 && i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, n)) + "?=";
    i += n;
  } while (i < text.size());
  return out;
}

// Unstructured header text (Subject): as is when it is short, plain ASCII that no decoder
// could mistake for an encoded-word and whose whitespace survives unfolding; otherwise
// encoded-words.
std::string header_text(std::string_view text, std::size_t name_len) {
  bool plain = printable_ascii(text) && text.find("=?") == std::string_view::npos &&
               text.find("  ") == std::string_view::npos && (text.empty() || (text.front() != ' ' && text.back() != ' ')) &&
               name_len + 2 + text.size() <= 78;
  if (plain || text.empty()) return std::string(text);
  return encoded_words(text);
}

struct Mailbox {
  std::string display;  // UTF-8, may be empty
  std::string address;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "addr", "<addr>", "Name <addr>" or "\"Name, Inc.\" <addr>".
std::optional<Mailbox> parse_mailbox(std::string_view text) {
  if (has_control(text) || !valid_utf8(text)) return std::nullopt;
  text = trim(text);
  Mailbox box;
  if (!text.empty() && text.back() == '>') {
    auto lt = text.rfind('<');
    if (lt == std::string_view::npos) return std::nullopt;
    box.address = std::string(text.substr(lt + 1, text.size() - lt - 2));
    std::string_view display = trim(text.substr(0, lt));
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
      display = display.substr(1, display.size() - 2);
      for (std::size_t i = 0; i < display.size(); ++i) {
        if (display[i] == '\\' && i + 1 < display.size()) ++i;
        box.display += display[i];
      }
    } else {
      box.display = std::string(display);
    }
  } else {
    box.address = std::string(text);
  }
  if (!valid_address(box.address)) return std::nullopt;
  return box;
}

std::string format_mailbox(const Mailbox& box) {
  if (box.display.empty()) return box.address;
  std::string name;
  if (!printable_ascii(box.display) || box.display.find("=?") != std::string::npos) {
    // One encoded-word up to 45 octets: Python's email parser (unlike RFC 2047 6.2) puts
    // a space between adjacent encoded-words in a display name, so longer names may show
    // extra spaces there.
    name = encoded_words(box.display, 45);
  } else {
    bool atoms = box.display.front() != ' ' && box.display.back() != ' ' && box.display.find("  ") == std::string::npos;
    for (char c : box.display) atoms = atoms && (is_atext(c) || c == ' ');
    if (atoms) {
      name = box.display;
    } else {
      name = "\"";
      for (char c : box.display) {
        if (c == '"' || c == '\\') name += '\\';
        name += c;
      }
      name += '"';
    }
  }
  auto last_line = name.size() - (name.rfind('\n') == std::string::npos ? 0 : name.rfind('\n') + 1);
  bool fold = 6 + last_line + 3 + box.address.size() > 78;  // "From: " name " <" address ">"
  return name + (fold ? "\r\n <" : " <") + box.address + ">";
}

std::string domain_of(const std::string& address) { return address.substr(address.rfind('@') + 1); }

// RFC 5322 date-time in UTC: "Sat, 21 Nov 2026 10:15:30 +0000" (no locale involved).
std::string rfc5322_date(std::time_t t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// Quoted-printable (RFC 2045 6.7): text line breaks ("\n" or "\r\n") become CRLF, encoded
// lines are at most 76 characters (soft breaks "=" CRLF), "=", controls, 8-bit octets and
// whitespace at the end of a line are =XX. A line holding only "." stays "." here: the
// SMTP client dot-stuffs it on the wire (RFC 5321 4.5.2).
std::string quoted_printable(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t col = 0;
    for (std::size_t j = 0; j < line.size(); ++j) {
      auto c = static_cast<unsigned char>(line[j]);
      char token[4] = {0};
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && j + 1 < line.size());
      if (literal) {
        token[0] = static_cast<char>(c);
      } else {
        token[0] = '=';
        token[1] = hex[c >> 4];
        token[2] = hex[c & 15];
      }
      std::size_t len = std::strlen(token);
      if (col + len > 75) {
        out += "=\r\n";
        col = 0;
      }
      out.append(token, len);
      col += len;
    }
    out += "\r\n";
  }
  return out;
}

// For error messages: control characters shown as '?', at most 100 characters.
std::string shown(std::string_view text) {
  std::string out(text.substr(0, 100));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  return text.size() > 100 ? out + "..." : out;
}

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "***");
  return text;
}

std::string compose(const Message& message, const Mailbox& sender);

// ---------------------------------------------------------------- SMTP (libcurl)

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t len = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

// libcurl hands every SMTP server reply line to the header callback: keep the last
// negative one (4xx/5xx) for the error message ("535 5.7.8 Authentication credentials
// invalid"); after a failure curl still sends QUIT, whose "221" is of no interest.
size_t on_reply(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.size() >= 3 && (line[0] == '4' || line[0] == '5')) *static_cast<std::string*>(user) = shown(line);
  return size * n;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  bool v6 = host.find(':') != std::string_view::npos;
  for (char c : host) {
    if (v6 ? !(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')
           : !(is_alnum(c) || c == '.' || c == '-'))
      return false;
  }
  return true;
}

// The name we greet with (EHLO): this machine's name when it is fully qualified, else
// the sender's domain (servers may refuse an unqualified EHLO name).
std::string ehlo_name(const std::string& from_domain) {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) == 0) {
    std::string name(buf);
    if (name.find('.') != std::string::npos && valid_host(name) && name.find(':') == std::string::npos)
      return name;
  }
  return from_domain;
}

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(SmtpSettings settings, Mailbox from) : s_(std::move(settings)), from_(std::move(from)) {
    std::string host = s_.host.find(':') != std::string::npos ? "[" + s_.host + "]" : s_.host;
    url_ = std::string(s_.tls == SmtpSettings::Tls::Implicit ? "smtps://" : "smtp://") + host + ":" +
           std::to_string(s_.port) + "/" + ehlo_name(domain_of(from_.address));
    where_ = s_.host + ":" + std::to_string(s_.port);
  }
  ~SmtpMailer() override { OPENSSL_cleanse(s_.password.data(), s_.password.size()); }

  void send(const Message& message) override {
    std::string data = compose(message, from_);
    std::string context = "cannot send mail to " + message.to + " via " + where_ + ": ";

    CURL* c = curl_easy_init();
    if (!c) throw MailError(Kind::Other, context + "cannot initialise libcurl");
    std::unique_ptr<CURL, void (*)(CURL*)> guard(c, curl_easy_cleanup);

    char errbuf[CURL_ERROR_SIZE] = {0};
    std::string last_reply;
    Upload upload{&data};
    std::string mail_from = "<" + from_.address + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + message.to + ">").c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_guard(rcpt, curl_slist_free_all);
    const long timeout_ms = static_cast<long>(s_.timeout_seconds) * 1000L;

    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else  // RHEL 8 and 9 ship older libcurl
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     static_cast<long>(s_.tls == SmtpSettings::Tls::None ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s_.verify_peer ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s_.verify_peer ? 2L : 0L);
    if (!s_.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s_.cacert.c_str());
    if (!s_.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, s_.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, s_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_reply);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &last_reply);

    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code < 400) code = 0;  // only a refusal is of interest (not the 220 before a TLS failure)
    if (rc == CURLE_OK) {
      log::info("mail sent", {{"to", message.to}, {"host", s_.host}, {"port", s_.port}});
      return;
    }
    Kind kind = classify(rc, code);
    std::string reason = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
    if (rc == CURLE_USE_SSL_FAILED && reason.find("STARTTLS") == std::string::npos)
      reason += " (the server does not offer STARTTLS)";
    if (code != 0 && !last_reply.empty()) reason += " (server said: " + last_reply + ")";
    std::string what = scrub(context + reason, s_.password);
    log::warn("mail not sent", {{"to", message.to},
                                {"host", s_.host},
                                {"port", s_.port},
                                {"smtp_code", code},
                                {"error", scrub(reason, s_.password)}});
    throw MailError(kind, what, static_cast<int>(code));
  }

 private:
  static Kind classify(CURLcode rc, long code) {
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_GOT_NOTHING: return Kind::Connect;
      case CURLE_OPERATION_TIMEDOUT: return Kind::Timeout;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_USE_SSL_FAILED: return Kind::Tls;
      case CURLE_LOGIN_DENIED: return Kind::Auth;
      default: break;
    }
    if (code >= 400) return Kind::Rejected;
    if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR) return Kind::Connect;
    return Kind::Other;
  }

  SmtpSettings s_;
  Mailbox from_;
  std::string url_, where_;
};

// ---------------------------------------------------------------- directory

std::string file_timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

class DirectoryMailer final : public Mailer {
 public:
  DirectoryMailer(fs::path dir, Mailbox from) : dir_(std::move(dir)), from_(std::move(from)) {
    std::error_code ec;
    if (fs::create_directories(dir_, ec)) fs::permissions(dir_, fs::perms::owner_all, ec);
    if (ec || !fs::is_directory(dir_))
      throw MailError(Kind::Other, "cannot create the mail directory " + dir_.string() +
                                       (ec ? ": " + ec.message() : ""));
  }

  void send(const Message& message) override {
    std::string data = compose(message, from_);
    std::string stamp = file_timestamp();
    unsigned n = ++counter_;
    fs::path tmp = dir_ / ("." + stamp + "-" + std::to_string(n) + "-" + std::to_string(::getpid()) + ".tmp");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) fail(message, "cannot create " + tmp.string());
    ::fchmod(fd, 0600);  // whatever the umask
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t w = ::write(fd, data.data() + off, data.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = err;
        fail(message, "cannot write " + tmp.string());
      }
      off += static_cast<std::size_t>(w);
    }
    if (::close(fd) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      errno = err;
      fail(message, "cannot write " + tmp.string());
    }
    // link() never replaces: another writer with the same name makes us take the next number.
    fs::path file;
    for (int attempt = 0;; ++attempt) {
      char counter[16];
      std::snprintf(counter, sizeof counter, "%06u", n);
      file = dir_ / (stamp + "-" + counter + ".eml");
      if (::link(tmp.c_str(), file.c_str()) == 0) break;
      if (errno != EEXIST || attempt > 1000) {
        int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        fail(message, "cannot create " + file.string());
      }
      n = ++counter_;
    }
    ::unlink(tmp.c_str());
    log::info("mail written", {{"to", message.to}, {"file", file.string()}});
  }

 private:
  [[noreturn]] static void fail(const Message& message, const std::string& what) {
    std::string reason = what + ": " + std::strerror(errno);
    log::warn("mail not written", {{"to", message.to}, {"error", reason}});
    throw MailError(Kind::Other, "cannot write mail to " + message.to + ": " + reason);
  }

  fs::path dir_;
  Mailbox from_;
  std::atomic<unsigned> counter_{0};
};

Mailbox checked_from(std::string_view from) {
  auto box = parse_mailbox(from);
  if (!box) throw MailError(Kind::Invalid, "invalid sender address (from): \"" + shown(from) + "\"");
  return *box;
}

}  // namespace

bool valid_address(std::string_view s) {
  if (s.size() > 254) return false;
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3 || domain.size() > 253) return false;
  for (char c : local)
    if (!is_atext(c) && c != '.') return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  if (domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  for (;;) {
    auto dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

namespace {

std::string compose(const Message& message, const Mailbox& sender) {
  if (!valid_address(message.to))
    throw MailError(Kind::Invalid, "invalid recipient address: \"" + shown(message.to) + "\"");
  if (has_control(message.subject))
    throw MailError(Kind::Invalid, "the subject contains a control character (CR, LF, ...)");
  if (!valid_utf8(message.subject)) throw MailError(Kind::Invalid, "the subject is not UTF-8");
  if (!valid_utf8(message.text)) throw MailError(Kind::Invalid, "the text is not UTF-8");
  std::string out;
  out.reserve(message.text.size() * 11 / 10 + 512);
  out += "Date: " + rfc5322_date(std::time(nullptr)) + "\r\n";
  out += "From: " + format_mailbox(sender) + "\r\n";
  out += "To: " + message.to + "\r\n";
  out += "Subject: " + header_text(message.subject, 7) + "\r\n";
  if (!message.message_id.empty() &&
      message.message_id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz-.") != std::string::npos)
    throw MailError(Kind::Invalid, "invalid message id");
  out += "Message-ID: <" + (message.message_id.empty() ? crypto::random_hex(16) : message.message_id) + "@" +
         domain_of(sender.address) + ">\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  out += "\r\n";
  out += quoted_printable(message.text);
  return out;
}

}  // namespace

std::string format_message(const Message& message, std::string_view from) {
  return compose(message, checked_from(from));
}

std::unique_ptr<Mailer> smtp_mailer(SmtpSettings settings) {
  if (!valid_host(settings.host))
    throw MailError(Kind::Invalid, "invalid SMTP host: \"" + shown(settings.host) + "\"");
  if (settings.port < 1 || settings.port > 65535)
    throw MailError(Kind::Invalid, "invalid SMTP port: " + std::to_string(settings.port));
  if (settings.timeout_seconds < 1)
    throw MailError(Kind::Invalid, "invalid SMTP timeout: " + std::to_string(settings.timeout_seconds));
  if (settings.username.find_first_of("\r\n") != std::string::npos ||
      settings.password.find_first_of("\r\n") != std::string::npos)
    throw MailError(Kind::Invalid, "the SMTP username or password contains a line break");
  Mailbox from = checked_from(settings.from);
  if (!settings.username.empty() && settings.tls == SmtpSettings::Tls::None)
    log::warn("SMTP credentials are configured without TLS: they travel in clear text",
              {{"host", settings.host}, {"port", settings.port}});
  curl_init_once();
  return std::make_unique<SmtpMailer>(std::move(settings), std::move(from));
}

std::unique_ptr<Mailer> directory_mailer(std::filesystem::path dir, std::string from) {
  return std::make_unique<DirectoryMailer>(std::move(dir), checked_from(from));
}

}  // namespace og::mail

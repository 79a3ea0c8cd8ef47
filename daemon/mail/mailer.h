#pragma once
// Outgoing e-mail: account activation, password reset and e-mail change confirmation
// mails sent by omnipass.
//
// smtp_mailer() speaks SMTP through libcurl (plain, STARTTLS or implicit TLS, optional
// AUTH); directory_mailer() writes each message as an .eml file (`omnid --dev`, tests).
// Both send the same RFC 5322 message: Date, From, To, Subject (RFC 2047 encoded-words
// when needed), Message-ID, Auto-Submitted, MIME-Version, text/plain; charset=UTF-8 in
// quoted-printable with CRLF line endings, so any text (long lines, a line holding only
// ".", trailing spaces) arrives byte-exact.
//
// send() is safe to call from several threads at once. The SMTP password is never logged
// and never part of an error message.

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace og::mail {

struct Message {
  std::string to;       // one address, checked with valid_address()
  std::string subject;  // UTF-8, no control characters (CR/LF refused: no header injection)
  std::string text;     // plain text, UTF-8; "\n" or "\r\n" line breaks
  // The left part of the Message-ID (lowercase letters, digits, '-', '.'): the same on
  // every delivery attempt of one message, so that a receiver can deduplicate. "" = random.
  std::string message_id;
};

struct SmtpSettings {
  std::string host;
  int port = 587;
  enum class Tls { None, StartTls, Implicit } tls = Tls::StartTls;  // none / starttls / tls (smtps)
  std::string username;  // optional AUTH (PLAIN/LOGIN/... as the server offers)
  std::string password;  // secret: never logged, never in an error message
  std::string from;      // "Omnigate <noreply@example.com>" or an address
  std::string cacert;    // PEM file to trust ("" = system store)
  bool verify_peer = true;
  int timeout_seconds = 15;  // connect and whole transaction
};

// "none" / "starttls" / "tls" (also "smtps", "implicit"); nullopt for anything else.
std::optional<SmtpSettings::Tls> parse_tls(std::string_view text);
std::string_view to_string(SmtpSettings::Tls tls);

class MailError : public std::runtime_error {
 public:
  enum class Kind {
    Invalid,   // the message or the settings are unusable (bad address, CR/LF, not UTF-8)
    Connect,   // cannot reach the server (refused, unresolvable, connection dropped)
    Timeout,   // no answer within timeout_seconds
    Tls,       // TLS failed: untrusted certificate, STARTTLS not offered, handshake
    Auth,      // the server refused the credentials
    Rejected,  // the server refused the sender, recipient or message (smtp_code says why)
    Other,
  };
  MailError(Kind kind, const std::string& what, int smtp_code = 0)
      : std::runtime_error(what), kind_(kind), smtp_code_(smtp_code) {}
  Kind kind() const noexcept { return kind_; }
  int smtp_code() const noexcept { return smtp_code_; }  // last SMTP reply code, 0 = none
  // Worth retrying later: connection problems, timeouts and 4xx replies.
  bool transient() const noexcept;

 private:
  Kind kind_;
  int smtp_code_;
};

class Mailer {
 public:
  virtual ~Mailer();
  // Delivers the message to the server (or the directory); throws MailError.
  virtual void send(const Message& message) = 0;
};

// Throws MailError(Kind::Invalid) for unusable settings (no host, bad port, bad `from`).
std::unique_ptr<Mailer> smtp_mailer(SmtpSettings settings);

// For `omnid --dev` and tests without a server: each message written as an RFC 5322 file
// into `dir` (created 0700 when missing), named <timestamp>-<counter>.eml
// (20261121T101530123Z-000001.eml: sorts in sending order), mode 0600. The file appears
// complete or not at all (written under a hidden temporary name, then linked).
std::unique_ptr<Mailer> directory_mailer(std::filesystem::path dir,
                                         std::string from = "Omnigate <noreply@omnigate.local>");

// A simple, strict address check (used before sending, and by the API): local@domain,
// the local part a dot-atom of RFC 5322 atext (no quoted strings, at most 64 octets), the
// domain at least two dot-separated labels of letters, digits and inner hyphens (no IP
// literals), ASCII only, at most 254 octets in all.
bool valid_address(std::string_view address);

// The message exactly as sent (CRLF line endings, ending with CRLF). `from` as in
// SmtpSettings::from. Throws MailError(Kind::Invalid) when the recipient is not
// valid_address(), the subject holds a control character (CR, LF, ...), the subject or
// text is not UTF-8, or `from` is unusable.
std::string format_message(const Message& message, std::string_view from);

}  // namespace og::mail

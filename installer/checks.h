#pragma once
// The wizard's checks that reach the outside: the remote database connection and a test
// message through the SMTP server. Error texts never hold a password.

#include <optional>
#include <string>

#include "daemon/mail/mailer.h"
#include "installer/wizard.h"

namespace og::installer {

// libpq conninfo of the remote database answers (host, port, name, user, password,
// sslmode); holds the password: never log it.
std::string remote_conninfo(const Answers& a);

// Connects (10 s timeout) and checks the server is PostgreSQL 13 or later and holds no
// Omnigate installation yet. nullopt when fine.
std::optional<std::string> check_remote_database(const Answers& a);

mail::SmtpSettings smtp_settings(const Answers& a);

// Sends a test message to notification.email through the SMTP answers.
std::optional<std::string> send_test_mail(const Answers& a);

}  // namespace og::installer

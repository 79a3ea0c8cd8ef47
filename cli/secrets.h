#pragma once
// Secrets never come from argv: a prompt without echo on a terminal, standard input
// (--NAME-stdin) or a file (--NAME-file FILE).

#include <optional>
#include <string>

namespace og::cli {

// True when standard input is a terminal (a prompt can be answered).
bool stdin_is_tty();

// Prompts on the terminal (/dev/tty); echo off when secret. nullopt when there is no
// terminal. Throws std::runtime_error when reading fails.
std::optional<std::string> prompt(const std::string& label, bool secret);

// Reads all of standard input; one trailing newline (\n or \r\n) is removed.
std::string read_secret_stdin();
// Reads a file; one trailing newline is removed. Throws std::runtime_error naming the file.
std::string read_secret_file(const std::string& path);

// Removes one trailing "\n" or "\r\n".
std::string chomp(std::string s);

}  // namespace og::cli

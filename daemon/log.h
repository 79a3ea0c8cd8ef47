#pragma once
// Structured logging: one JSON object per line on stderr (journald keeps it). Never pass a
// secret as a field.

#include <string>
#include <string_view>

#include "common/json.h"

namespace og::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level& out);

void write(Level level, std::string_view msg, Json fields = Json::object());
inline void debug(std::string_view msg, Json fields = Json::object()) { write(Level::Debug, msg, std::move(fields)); }
inline void info(std::string_view msg, Json fields = Json::object()) { write(Level::Info, msg, std::move(fields)); }
inline void warn(std::string_view msg, Json fields = Json::object()) { write(Level::Warn, msg, std::move(fields)); }
inline void error(std::string_view msg, Json fields = Json::object()) { write(Level::Error, msg, std::move(fields)); }

// A line built field by field straight into its text, for the per-request line: the same
// JSON object write() makes (ts, level, msg, then the fields in order), without building a
// Json value first.
class Line {
 public:
  Line(Level level, std::string_view msg);
  Line& str(std::string_view key, std::string_view value);
  Line& num(std::string_view key, long long value);
  Line& millis(std::string_view key, long long microseconds);  // 12.345
  void write();  // at most once; nothing when the level is filtered out

 private:
  void key(std::string_view k);
  Level level_;
  bool on_;
  std::string text_;
};

// Writes out buffered lines (request lines are written every 50 ms).
void flush();

// ISO 8601 UTC with milliseconds: 2026-11-21T10:15:30.123Z
std::string timestamp_now();

}  // namespace og::log

#include "daemon/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

namespace og::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};

std::string_view name(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}
}  // namespace

void set_level(Level l) { g_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(g_level.load()); }

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::Debug, Level::Info, Level::Warn, Level::Error})
    if (name(l) == text) {
      out = l;
      return true;
    }
  return false;
}

std::string timestamp_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  // The date and time of day change once a second: formatted once per second and thread
  // (gmtime_r takes glibc's time zone lock, and every request logs a line).
  thread_local std::time_t cached_secs = -1;
  thread_local char prefix[64];
  if (secs != cached_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_secs = secs;
  }
  std::string out(prefix);
  const int m = static_cast<int>(ms);
  out += static_cast<char>('0' + m / 100);
  out += static_cast<char>('0' + m / 10 % 10);
  out += static_cast<char>('0' + m % 10);
  out += 'Z';
  return out;
}

namespace {

void write_all(const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Lines are collected and written by a background thread every 50 ms (or when 256 KiB
// pile up), so that a request does not pay a write() to the log. Warnings and errors, and
// every line at exit, are written at once.
class Sink {
 public:
  Sink() : thread_([this] { run(); }) {}
  ~Sink() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    flush();
  }
  void add(std::string text, bool urgent) {
    std::unique_lock lock(mu_);
    buffer_ += text;
    if (urgent || buffer_.size() > (256u << 10)) {
      std::string out;
      out.swap(buffer_);
      write_all(out);  // under the lock: lines keep their order
    }
  }
  void flush() {
    std::lock_guard lock(mu_);
    std::string out;
    out.swap(buffer_);
    write_all(out);
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (buffer_.empty()) continue;
      std::string out;
      out.swap(buffer_);
      write_all(out);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread thread_;
};

Sink& sink() {
  static Sink s;
  return s;
}

}  // namespace

void flush() { sink().flush(); }

void write(Level l, std::string_view msg, Json fields) {
  if (static_cast<int>(l) < g_level.load(std::memory_order_relaxed)) return;
  Json line = Json::object();
  line["ts"] = timestamp_now();
  line["level"] = name(l);
  line["msg"] = msg;
  for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace);
  text += '\n';
  sink().add(std::move(text), l >= Level::Warn);
}

namespace {
// Appends value as a JSON string. Printable ASCII without quotes or backslashes is copied;
// anything else goes through the JSON library (escapes, invalid UTF-8 replaced).
void append_string(std::string& out, std::string_view value) {
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out += Json(std::string(value)).dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  out += value;
  out += '"';
}
}  // namespace

Line::Line(Level level, std::string_view msg)
    : level_(level), on_(static_cast<int>(level) >= g_level.load(std::memory_order_relaxed)) {
  if (!on_) return;
  text_.reserve(320);
  text_ += "{\"ts\":\"";
  text_ += timestamp_now();
  text_ += "\",\"level\":\"";
  text_ += name(level);
  text_ += "\",\"msg\":";
  append_string(text_, msg);
}

void Line::key(std::string_view k) {
  text_ += ',';
  append_string(text_, k);
  text_ += ':';
}

Line& Line::str(std::string_view k, std::string_view value) {
  if (!on_) return *this;
  key(k);
  append_string(text_, value);
  return *this;
}

Line& Line::num(std::string_view k, long long value) {
  if (!on_) return *this;
  key(k);
  text_ += std::to_string(value);
  return *this;
}

Line& Line::millis(std::string_view k, long long us) {
  if (!on_) return *this;
  key(k);
  if (us < 0) {
    text_ += '-';
    us = -us;
  }
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lld", us % 1000);
  text_ += std::to_string(us / 1000);
  text_ += frac;
  return *this;
}

void Line::write() {
  if (!on_) return;
  on_ = false;
  text_ += "}\n";
  sink().add(std::move(text_), level_ >= Level::Warn);
}

}  // namespace og::log

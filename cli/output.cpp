#include "cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "common/validation.h"

namespace og::cli {

bool use_color(bool no_color_flag) {
  if (no_color_flag) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

std::string scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

// Display width: code points of valid UTF-8 (wide characters are rare in answers).
std::size_t width(const std::string& s) {
  return validation::is_valid_utf8(s) ? validation::utf8_length(s) : s.size();
}

std::string pad(const std::string& s, std::size_t w) {
  std::size_t n = width(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

// Table cells stay on one line.
std::string cell(const Json& v) {
  std::string s = scalar_text(v);
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s;
}

bool is_array_of_objects(const Json& v) {
  return v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
}

bool is_scalar_array(const Json& v) {
  return v.is_array() && std::none_of(v.begin(), v.end(), [](const Json& e) { return e.is_structured(); });
}

// Flattens nested objects into dotted keys; arrays of objects are collected for later.
void flatten(const Json& obj, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& rows,
             std::vector<std::pair<std::string, const Json*>>& tables) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const Json& v = it.value();
    if (v.is_object() && !v.empty()) {
      flatten(v, key, rows, tables);
    } else if (is_array_of_objects(v)) {
      tables.emplace_back(key, &v);
    } else if (v.is_array() && v.empty()) {
      rows.emplace_back(key, "(none)");
    } else if (is_scalar_array(v)) {
      std::string joined;
      for (const auto& e : v) joined += (joined.empty() ? "" : ", ") + cell(e);
      rows.emplace_back(key, joined);
    } else {
      rows.emplace_back(key, cell(v));
    }
  }
}

void columns(std::ostringstream& out, const Json& array, bool color) {
  std::vector<std::string> keys;
  for (const auto& e : array)
    for (auto it = e.begin(); it != e.end(); ++it)
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
  std::vector<std::size_t> w(keys.size());
  std::vector<std::vector<std::string>> cells;
  for (std::size_t i = 0; i < keys.size(); ++i) w[i] = width(keys[i]);
  for (const auto& e : array) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::string c = e.contains(keys[i]) ? cell(e[keys[i]]) : "";
      w[i] = std::max(w[i], width(c));
      row.push_back(std::move(c));
    }
    cells.push_back(std::move(row));
  }
  std::string header;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string name = keys[i];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    header += i + 1 < keys.size() ? pad(name, w[i]) + "  " : name;
  }
  out << (color ? kBold : "") << header << (color ? kReset : "") << "\n";
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += i + 1 < row.size() ? pad(row[i], w[i]) + "  " : row[i];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace

std::string render_table(const Json& answer, bool color) {
  std::ostringstream out;
  if (is_array_of_objects(answer)) {
    columns(out, answer, color);
    return out.str();
  }
  if (!answer.is_object()) {
    out << cell(answer) << "\n";
    return out.str();
  }
  Json rest = answer;
  rest.erase("resultcode");
  rest.erase("resultmessage");
  if (rest.empty()) {
    if (answer.contains("resultmessage")) out << scalar_text(answer["resultmessage"]) << "\n";
    return out.str();
  }
  std::vector<std::pair<std::string, std::string>> rows;
  std::vector<std::pair<std::string, const Json*>> tables;
  flatten(rest, "", rows, tables);
  std::size_t w = 0;
  for (const auto& [k, v] : rows) w = std::max(w, width(k));
  for (const auto& [k, v] : rows) {
    std::string line = (color ? std::string(kBold) : "") + pad(k, w) + (color ? kReset : "") + "  " + v;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  for (const auto& [k, t] : tables) {
    if (out.tellp() > 0) out << "\n";
    out << (color ? kBold : "") << k << ":" << (color ? kReset : "") << "\n";
    columns(out, *t, color);
  }
  return out.str();
}

std::optional<Json> find_field(const Json& answer, std::string_view dotted) {
  const Json* cur = &answer;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    std::string part(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it == cur->end()) return std::nullopt;
      cur = &*it;
    } else if (cur->is_array()) {
      if (part.empty() || !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); }) ||
          part.size() > 9)
        return std::nullopt;
      std::size_t i = std::stoul(part);
      if (i >= cur->size()) return std::nullopt;
      cur = &(*cur)[i];
    } else {
      return std::nullopt;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return *cur;
}

}  // namespace og::cli

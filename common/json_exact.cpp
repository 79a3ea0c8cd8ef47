#include "common/json_exact.h"

#include <string>
#include <vector>

namespace og {

namespace {

// nlohmann's SAX interface (public, stable since 3.2): number_float gets the number's
// source text along with its value, which is all this needs.
class ExactSax : public nlohmann::json_sax<Json> {
 public:
  explicit ExactSax(std::size_t max_depth) : max_depth_(max_depth) {}

  bool null() override { return put(Json(nullptr)); }
  bool boolean(bool v) override { return put(Json(v)); }
  bool number_integer(number_integer_t v) override { return put(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(Json(v)); }
  bool number_float(number_float_t, const string_t& text) override { return put(Json(text)); }
  bool string(string_t& v) override { return put(Json(std::move(v))); }
  bool binary(binary_t&) override { return false; }  // never in JSON text
  bool start_object(std::size_t) override { return open(Json::object()); }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    failed_ = true;
    return false;
  }

  std::optional<Json> result() {
    if (failed_ || !stack_.empty() || !done_) return std::nullopt;
    return std::move(root_);
  }

 private:
  // A value where it belongs: the root, the next element of an array, or the member named
  // by the last key (a repeated key keeps the last value, as nlohmann does).
  Json* place(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      done_ = true;
      return &root_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(v);
    return &slot;
  }
  bool put(Json v) {
    place(std::move(v));
    return true;
  }
  bool open(Json container) {
    if (stack_.size() >= max_depth_) {
      failed_ = true;
      return false;
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::size_t max_depth_;
  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  bool failed_ = false, done_ = false;
};

}  // namespace

std::optional<Json> parse_exact(std::string_view text, std::size_t max_depth) {
  ExactSax sax(max_depth);
  const bool ok = Json::sax_parse(text.begin(), text.end(), &sax, Json::input_format_t::json,
                                  /*strict=*/true);
  if (!ok) return std::nullopt;
  return sax.result();
}

}  // namespace og

// Percent-encoding for topics, property bags and SAS tokens (reference 1.3, 2.6).
#include <optional>
#include <string>
#include <string_view>

#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The unreserved set of RFC 3986, which the embedded C SDK keeps; Node also escapes ! ' ( ) *,
// and a decoder accepts both.
bool unreserved(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Decodes valid escapes into `out`.
void append_decoded(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
}

}  // namespace

namespace detail {

bool valid_percent_escapes(std::string_view text) noexcept {
  for (std::size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i + 3)) {
    if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) return false;
  }
  return true;
}

std::string_view percent_decoded(std::string_view text, std::string& scratch) {
  if (text.find('%') == std::string_view::npos) return text;
  scratch.clear();
  append_decoded(scratch, text);
  return scratch;
}

}  // namespace detail

void append_url_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (unreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 0x0F]);
    }
  }
}

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_url_encoded(out, text);
  return out;
}

std::optional<std::string> url_decode(std::string_view text) {
  if (!detail::valid_percent_escapes(text)) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  append_decoded(out, text);
  return out;
}

}  // namespace fleetsim::iothub

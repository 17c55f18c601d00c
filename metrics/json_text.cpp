#include "metrics/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace fleetsim::metrics {
namespace {

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no NaN or infinity
    out += "null";
    return;
  }
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out += text;
  // Keep doubles recognisable as such (30.0, not 30), unless to_chars chose an exponent.
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

// Depth (indent level) from which array elements are written on one line each.
constexpr int kOneLineElementsFrom = 2;

void append(std::string& out, const boost::json::value& v, int indent, bool one_line = false) {
  const auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
  };
  // Before each member or element: a comma after the first, then a line break, or on one line a
  // space between items.
  const auto next_item = [&](bool first, int level) {
    if (!first) out += ',';
    if (!one_line) {
      newline(level);
    } else if (!first) {
      out += ' ';
    }
  };
  const auto close = [&](int level) {
    if (!one_line) newline(level);
  };
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, member] : o) {
        next_item(first, indent + 1);
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ": ";
        append(out, member, indent + 1, one_line);
      }
      close(indent);
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& element : a) {
        next_item(first, indent + 1);
        first = false;
        append(out, element, indent + 1, one_line || indent >= kOneLineElementsFrom);
      }
      close(indent);
      out += ']';
      return;
    }
    case boost::json::kind::double_:
      append_double(out, v.get_double());
      return;
    default:
      out += boost::json::serialize(v);
      return;
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  append(out, value, 0);
  out += '\n';
  return out;
}

}  // namespace fleetsim::metrics

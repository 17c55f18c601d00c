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

void append(std::string& out, const boost::json::value& v, int indent) {
  const auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
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
        if (!first) out += ',';
        first = false;
        newline(indent + 1);
        out += boost::json::serialize(boost::json::string_view(key));
        out += ": ";
        append(out, member, indent + 1);
      }
      newline(indent);
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
        if (!first) out += ',';
        first = false;
        newline(indent + 1);
        append(out, element, indent + 1);
      }
      newline(indent);
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

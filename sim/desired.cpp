#include "sim/desired.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace fleetsim::sim {
namespace {

std::optional<std::uint64_t> as_version(const boost::json::value* v) noexcept {
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
  return std::nullopt;
}

// Members of a section without the keys the hub adds ($version, $metadata).
boost::json::object without_system_keys(const boost::json::object& section) {
  boost::json::object members;
  for (const auto& [key, value] : section) {
    if (!key.starts_with("$")) members.emplace(key, value);
  }
  return members;
}

}  // namespace

std::optional<AckMode> parse_ack_mode(std::string_view text) noexcept {
  if (text == "none") return AckMode::none;
  if (text == "echo") return AckMode::echo;
  if (text == "pnp") return AckMode::pnp;
  return std::nullopt;
}

std::optional<DesiredPatch> parse_desired_notification(std::string_view body,
                                                       std::optional<std::uint64_t> topic_version) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& object = parsed.get_object();
  const auto version = as_version(object.if_contains("$version"));
  if (!version && !topic_version) return std::nullopt;
  return DesiredPatch{without_system_keys(object), version ? *version : *topic_version};
}

std::optional<DesiredPatch> parse_twin_desired(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto* desired = parsed.get_object().if_contains("desired");
  if (desired == nullptr || !desired->is_object()) return std::nullopt;
  const auto version = as_version(desired->get_object().if_contains("$version"));
  if (!version) return std::nullopt;
  return DesiredPatch{without_system_keys(desired->get_object()), *version};
}

bool append_desired_ack(std::string& out, AckMode mode, const DesiredPatch& patch) {
  switch (mode) {
    case AckMode::none:
      return false;
    case AckMode::echo:
      if (patch.members.empty()) return false;
      out += boost::json::serialize(patch.members);
      return true;
    case AckMode::pnp: {
      boost::json::object ack;
      for (const auto& [key, value] : patch.members) {
        if (value.is_null()) continue;
        ack.emplace(key, boost::json::object{
                             {"value", value}, {"ac", 200}, {"av", patch.version}, {"ad", "completed"}});
      }
      if (ack.empty()) return false;
      out += boost::json::serialize(ack);
      return true;
    }
  }
  return false;
}

}  // namespace fleetsim::sim

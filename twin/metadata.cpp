#include "twin/metadata.hpp"

#include <optional>

namespace fleetsim::twin::detail {
namespace {

namespace json = boost::json;

// What Azure shows for a time never written (reference 4.5).
constexpr std::string_view never_written = "0001-01-01T00:00:00Z";

std::optional<Stamp> read_stamp(const json::value* slot) noexcept {
  if (slot == nullptr) return std::nullopt;
  if (slot->is_int64()) return Stamp{slot->get_int64(), 0};
  if (slot->is_array() && slot->get_array().size() == 2) {
    const json::array& pair = slot->get_array();
    if (pair[0].is_int64() && pair[1].is_uint64()) return Stamp{pair[0].get_int64(), pair[1].get_uint64()};
  }
  return std::nullopt;
}

void show_stamp(json::object& out, const std::optional<Stamp>& stamp) {
  if (!stamp) {
    out["$lastUpdated"] = never_written;
    return;
  }
  out["$lastUpdated"] = format_timestamp(Timestamp(Timestamp::duration(stamp->time)));
  if (stamp->version != 0) out["$lastUpdatedVersion"] = static_cast<std::int64_t>(stamp->version);
}

json::object render_node(const json::object& data, const json::object* node,
                         const std::optional<Stamp>& inherited) {
  std::optional<Stamp> own = node != nullptr ? read_stamp(node->if_contains(own_stamp_key)) : std::nullopt;
  if (!own) own = inherited;
  json::object out;
  show_stamp(out, own);
  for (const json::key_value_pair& member : data) {
    const json::value* child = node != nullptr ? node->if_contains(member.key()) : nullptr;
    if (member.value().is_object()) {
      const json::object* child_node =
          child != nullptr && child->is_object() ? &child->get_object() : nullptr;
      out[member.key()] = render_node(member.value().get_object(), child_node, own);
    } else {
      std::optional<Stamp> leaf = read_stamp(child);
      json::object shown;
      show_stamp(shown, leaf ? leaf : own);
      out[member.key()] = std::move(shown);
    }
  }
  return out;
}

}  // namespace

Stamp make_stamp(Timestamp now, std::uint64_t version) noexcept {
  return Stamp{static_cast<std::int64_t>(now.time_since_epoch().count()), version};
}

void write_stamp(json::value& slot, const Stamp& stamp) {
  if (stamp.version == 0) {
    slot = stamp.time;
    return;
  }
  if (slot.is_array() && slot.get_array().size() == 2) {
    json::array& pair = slot.get_array();
    pair[0] = stamp.time;
    pair[1] = stamp.version;
    return;
  }
  slot = json::array{stamp.time, stamp.version};
}

json::object build_node(const json::object& data, const Stamp& stamp) {
  json::object node;
  write_stamp(node[own_stamp_key], stamp);
  for (const json::key_value_pair& member : data) {
    if (member.value().is_object()) {
      node[member.key()] = build_node(member.value().get_object(), stamp);
    } else {
      write_stamp(node[member.key()], stamp);
    }
  }
  return node;
}

json::object render_metadata(const json::object& data, const json::object& node) {
  return render_node(data, &node, std::nullopt);
}

}  // namespace fleetsim::twin::detail

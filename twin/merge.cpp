#include "twin/merge.hpp"

namespace fleetsim::twin::detail {

namespace json = boost::json;

void merge_patch(json::object& target, json::object* metadata, const json::object& patch,
                 const Stamp& stamp) {
  for (const json::key_value_pair& member : patch) {
    const json::value& value = member.value();
    if (value.is_null()) {
      // stable_erase keeps the other members in the order the twin shows them.
      target.stable_erase(member.key());
      if (metadata != nullptr) metadata->erase(member.key());
    } else if (value.is_object()) {
      json::value& slot = target[member.key()];
      if (!slot.is_object()) slot.emplace_object();
      json::object* child_metadata = nullptr;
      if (metadata != nullptr) {
        json::value& node = (*metadata)[member.key()];
        if (!node.is_object()) node.emplace_object();
        child_metadata = &node.get_object();
      }
      merge_patch(slot.get_object(), child_metadata, value.get_object(), stamp);
    } else {
      target[member.key()] = value;
      if (metadata != nullptr) write_stamp((*metadata)[member.key()], stamp);
    }
  }
  if (metadata != nullptr) write_stamp((*metadata)[own_stamp_key], stamp);
}

}  // namespace fleetsim::twin::detail
